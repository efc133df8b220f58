//! Regions where Claude is served on Bedrock (the UI names them in both languages).

/// Region codes offered in the region picker, grouped by geography.
pub const CLAUDE_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-4",
];

/// Syntactically an AWS region code (`xx-name-N`), for regions Cairn does not list yet.
pub fn looks_like_region(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes() {
        assert!(CLAUDE_REGIONS.iter().all(|r| looks_like_region(r)));
        assert!(looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("useast1"));
        assert!(!looks_like_region("US-EAST-1"));
        assert!(!looks_like_region("us-east-"));
    }
}
