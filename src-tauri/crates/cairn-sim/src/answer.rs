//! What the simulator understood of a request, and the deterministic answer that describes it.

use std::fmt::Write as _;

/// Per-request instructions written into the last user message as `[[sim:NAME]]` or `[[sim:NAME=N]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    pub tokens: Option<u32>,
    pub rate: Option<u32>,
    pub first_token_ms: Option<u64>,
    pub throttle: bool,
    /// Throttle only the first N requests carrying this message, then answer.
    pub throttle_times: Option<u32>,
    pub throttle_mid: bool,
    pub stream_error: bool,
    pub status: Option<u16>,
    pub access_denied: bool,
    pub expired: bool,
    pub drop_after: Option<u32>,
    /// Answer with the user's own text (directives removed): lets tests feed any markdown or
    /// HTML into the answer rendering.
    pub echo: bool,
}

impl Directives {
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        let mut rest = text;
        while let Some(start) = rest.find("[[sim:") {
            let after = &rest[start + 6..];
            let Some(end) = after.find("]]") else { break };
            let body = &after[..end];
            let (name, value) = body.split_once('=').unwrap_or((body, ""));
            let num = value.trim().parse::<u64>().ok();
            match name.trim() {
                "tokens" => out.tokens = num.map(|n| n.min(u64::from(u32::MAX)) as u32),
                "rate" => out.rate = num.map(|n| n.min(u64::from(u32::MAX)) as u32),
                "first-token-ms" => out.first_token_ms = num,
                "throttle" => out.throttle = true,
                "throttle-times" => {
                    out.throttle_times = num.map(|n| n.min(u64::from(u32::MAX)) as u32)
                }
                "throttle-mid" => out.throttle_mid = true,
                "stream-error" => out.stream_error = true,
                "status" => out.status = num.and_then(|n| u16::try_from(n).ok()),
                "access-denied" => out.access_denied = true,
                "expired" => out.expired = true,
                "drop-after" => out.drop_after = num.map(|n| n.min(u64::from(u32::MAX)) as u32),
                "echo" => out.echo = true,
                _ => {}
            }
            rest = &after[end + 2..];
        }
        out
    }
}

/// A document the request carried, as the simulator read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSeen {
    pub name: String,
    pub pages: usize,
    pub citations: bool,
    pub size: usize,
    /// The text shown on the page an answer cites (see [`cited_page`]).
    pub cited_text: String,
}

/// The page answers cite: the second when there is one.
pub fn cited_page(pages: usize) -> usize {
    pages.clamp(1, 2)
}

/// The text of the `page`-th `(…) Tj` string of a simple, uncompressed PDF (what test fixtures
/// are); `None` when there is no such string.
pub fn page_text(bytes: &[u8], page: usize) -> Option<String> {
    let mut found = 0;
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], b") Tj") {
        let end = i + pos;
        let start = bytes[..end].iter().rposition(|b| *b == b'(')? + 1;
        found += 1;
        if found == page {
            return Some(String::from_utf8_lossy(&bytes[start..end]).into_owned());
        }
        i = end + 4;
    }
    None
}

/// The parts of a request the answer talks about, whatever API carried them.
#[derive(Debug, Clone, Default)]
pub struct RequestSummary {
    pub api: &'static str,
    pub model_id: String,
    pub message_count: usize,
    pub last_user_text: String,
    pub has_system: bool,
    pub documents: Vec<DocumentSeen>,
    pub images: usize,
    pub betas: Vec<String>,
    pub thinking_budget: Option<u64>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u64>,
    /// The text of a final assistant message: the answer is to continue it.
    pub prefill: Option<String>,
    /// The last cache point: a key for everything before it, and its input tokens.
    pub cache_prefix: Option<(u64, u32)>,
    pub parameters: Vec<(String, String)>,
    /// Characters of all text in the request, for the input-token estimate.
    pub text_chars: usize,
    pub max_tokens: Option<u32>,
}

impl RequestSummary {
    /// Marks a cache point after what has been read so far (`so_far`: the request up to here).
    pub fn cache_point(&mut self, so_far: &str) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.model_id.hash(&mut hasher);
        so_far.hash(&mut hasher);
        self.cache_prefix = Some((hasher.finish(), self.input_tokens()));
    }

    /// Input tokens as the simulator bills them: ~4 characters a token, documents by page
    /// (visual reading with citations costs about seven times text extraction), images flat.
    pub fn input_tokens(&self) -> u32 {
        let text = self.text_chars.div_ceil(4);
        let docs: usize = self
            .documents
            .iter()
            .map(|d| d.pages * if d.citations { 2_300 } else { 330 })
            .sum();
        u32::try_from(text + docs + self.images * 1_500)
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

const FILLER: &[&str] = &[
    "This answer comes from Cairn's local Bedrock simulator, so it costs nothing and never leaves this computer.",
    "Connect an AWS account to talk to the real Claude models on Amazon Bedrock.",
    "Every word here is streamed through the same event-stream format that Bedrock uses.",
    "The simulator counts one token per word, which keeps the usage numbers easy to check.",
];

/// `text` without its `[[sim:…]]` directives.
pub fn without_directives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[[sim:") {
        out.push_str(&rest[..start]);
        match rest[start..].find("]]") {
            Some(end) => rest = &rest[start + end + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Anthropic's checks of sampling and thinking parameters, with the words Bedrock passes
/// through from the model. `sampling_exclusive`: the model takes temperature or top_p, not both.
pub fn check_parameters(summary: &RequestSummary, sampling_exclusive: bool) -> Result<(), String> {
    const PREFIX: &str = "The model returned the following errors: ";
    if sampling_exclusive && summary.temperature.is_some() && summary.top_p.is_some() {
        return Err(format!("{PREFIX}`temperature` and `top_p` cannot both be specified for this model. Please use only one."));
    }
    if let Some(prefill) = &summary.prefill {
        if prefill.ends_with(char::is_whitespace) {
            return Err(format!(
                "{PREFIX}messages: final assistant content cannot end with trailing whitespace"
            ));
        }
    }
    let Some(budget) = summary.thinking_budget else {
        return Ok(());
    };
    if budget < 1024 {
        return Err(format!(
            "{PREFIX}thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        ));
    }
    if summary
        .temperature
        .is_some_and(|t| (t - 1.0).abs() > f64::EPSILON)
    {
        return Err(format!(
            "{PREFIX}`temperature` may only be set to 1 when thinking is enabled."
        ));
    }
    if summary.top_k.is_some() {
        return Err(format!(
            "{PREFIX}`top_k` must be unset when thinking is enabled."
        ));
    }
    if summary
        .max_tokens
        .is_some_and(|max| u64::from(max) <= budget)
    {
        return Err(format!(
            "{PREFIX}`max_tokens` must be greater than `thinking.budget_tokens`."
        ));
    }
    if summary.prefill.is_some() {
        return Err(format!(
            "{PREFIX}When thinking is enabled, the final assistant message cannot be prefilled."
        ));
    }
    Ok(())
}

/// The thinking streamed before the answer when extended thinking is on (a few sentences,
/// at most `budget` tokens).
pub fn thinking_text(summary: &RequestSummary) -> String {
    let words = summary.last_user_text.split_whitespace().count();
    format!(
        "The user wrote {words} words and {} messages are in the conversation. \
         I should describe what the simulator received, plainly and in order. \
         A short list will be easiest to read. ",
        summary.message_count
    )
}

/// The full answer text; streaming sends it word by word.
pub fn answer_text(summary: &RequestSummary) -> String {
    let mut s = String::new();
    if let Some(prefill) = &summary.prefill {
        // A continuation picks up where the given start of the answer stopped.
        let _ = writeln!(
            s,
            " …continuing after {} characters.\n",
            prefill.chars().count()
        );
    }
    let _ = writeln!(
        s,
        "**Simulated answer** from `{}` via {}.\n",
        summary.model_id, summary.api
    );
    let _ = writeln!(s, "- Messages received: {}", summary.message_count);
    let _ = writeln!(
        s,
        "- System prompt: {}",
        if summary.has_system { "yes" } else { "no" }
    );
    if summary.documents.is_empty() {
        let _ = writeln!(s, "- Documents: none");
    } else {
        let _ = writeln!(s, "- Documents: {}", summary.documents.len());
        for doc in &summary.documents {
            let _ = writeln!(
                s,
                "  - \"{}\": {} pages, citations {}",
                doc.name,
                doc.pages,
                if doc.citations { "on" } else { "off" }
            );
        }
    }
    if summary.images > 0 {
        let _ = writeln!(s, "- Images: {}", summary.images);
    }
    let _ = writeln!(
        s,
        "- Beta flags: {}",
        if summary.betas.is_empty() {
            "none".to_owned()
        } else {
            summary.betas.join(", ")
        }
    );
    match summary.thinking_budget {
        Some(budget) => {
            let _ = writeln!(s, "- Thinking: on, budget {budget} tokens");
        }
        None => {
            let _ = writeln!(s, "- Thinking: off");
        }
    }
    if !summary.parameters.is_empty() {
        let params: Vec<String> = summary
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(s, "- Parameters: {}", params.join(", "));
    }
    let words = summary.last_user_text.split_whitespace().count();
    let _ = writeln!(s, "\nYour last message had {words} words.\n");
    s
}

/// Splits `text` into streaming tokens (a word and the whitespace after it), then cuts or pads
/// the answer to exactly `tokens` tokens.
pub fn answer_tokens(text: &str, tokens: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens);
    let mut current = String::new();
    let mut in_word = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            in_word = false;
            current.push(ch);
        } else {
            if !in_word && !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            in_word = true;
            current.push(ch);
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out.truncate(tokens);
    // Filler comes in paragraphs (one pass over the sentences each), as real answers do.
    let mut filler = FILLER.iter().enumerate().cycle();
    while out.len() < tokens {
        let Some((index, sentence)) = filler.next() else {
            break;
        };
        let words: Vec<&str> = sentence.split(' ').collect();
        for (w, word) in words.iter().enumerate() {
            if out.len() == tokens {
                break;
            }
            let paragraph_end = index == FILLER.len() - 1 && w == words.len() - 1;
            out.push(format!(
                "{word}{}",
                if paragraph_end { "\n\n" } else { " " }
            ));
        }
    }
    out
}

/// Counts the pages of a PDF by its page objects; `None` when the bytes are not a PDF.
pub fn pdf_pages(bytes: &[u8]) -> Option<usize> {
    if !bytes.starts_with(b"%PDF-") {
        return None;
    }
    let mut pages = 0;
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], b"/Type") {
        let mut j = i + pos + 5;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && !bytes[j + 5..].starts_with(b"s") {
            pages += 1;
        }
        i = j;
    }
    Some(pages)
}

pub fn pdf_is_encrypted(bytes: &[u8]) -> bool {
    find(bytes, b"/Encrypt").is_some()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Converse document names: letters, digits, single spaces, hyphens, parentheses, square brackets.
pub fn valid_document_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 200
        && !name.contains("  ")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_from_anywhere_in_the_text() {
        let d =
            Directives::parse("hi [[sim:tokens=5]] there [[sim:throttle-mid]][[sim:status=503]]");
        assert_eq!(d.tokens, Some(5));
        assert!(d.throttle_mid);
        assert_eq!(d.status, Some(503));
        assert!(!d.throttle);
        assert_eq!(Directives::parse("no directives"), Directives::default());
        assert!(Directives::parse("[[sim:echo]] <b>x</b>").echo);
        assert_eq!(without_directives("a [[sim:echo]]b[[sim:tokens=3]]"), "a b");
    }

    #[test]
    fn answers_have_exactly_the_requested_tokens_and_rejoin_to_text() {
        let summary = RequestSummary {
            api: "ConverseStream",
            model_id: "m".into(),
            message_count: 1,
            ..Default::default()
        };
        let text = answer_text(&summary);
        for n in [1usize, 7, 200, 5_000] {
            let tokens = answer_tokens(&text, n);
            assert_eq!(tokens.len(), n);
        }
        let all = answer_tokens(&text, 10_000).concat();
        assert!(all.starts_with("**Simulated answer** from `m` via ConverseStream."));
    }

    #[test]
    fn parameter_checks_use_the_models_words() {
        let base = RequestSummary {
            temperature: Some(0.5),
            top_p: Some(0.9),
            ..Default::default()
        };
        assert!(check_parameters(&base, false).is_ok());
        assert!(check_parameters(&base, true)
            .expect_err("refused")
            .contains("`temperature` and `top_p` cannot both be specified"));
        let thinking = RequestSummary {
            thinking_budget: Some(2048),
            max_tokens: Some(6000),
            temperature: Some(0.5),
            ..Default::default()
        };
        assert!(check_parameters(&thinking, false)
            .expect_err("refused")
            .contains("`temperature` may only be set to 1"));
        let low_max = RequestSummary {
            thinking_budget: Some(2048),
            max_tokens: Some(2048),
            ..Default::default()
        };
        assert!(check_parameters(&low_max, false)
            .expect_err("refused")
            .contains("`max_tokens` must be greater"));
        let trailing = RequestSummary {
            prefill: Some("The answer is ".into()),
            ..Default::default()
        };
        assert!(check_parameters(&trailing, false)
            .expect_err("refused")
            .contains("trailing whitespace"));
    }

    #[test]
    fn counts_pdf_pages_but_not_the_pages_tree() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >> endobj 2 0 obj << /Type /Page >> endobj 3 0 obj <</Type/Page>> endobj";
        assert_eq!(pdf_pages(pdf), Some(2));
        assert_eq!(pdf_pages(b"not a pdf"), None);
    }

    #[test]
    fn page_text_reads_the_nth_shown_string() {
        let pdf = b"%PDF-1.4 BT (First page) Tj ET BT (Second page) Tj ET";
        assert_eq!(page_text(pdf, 2).as_deref(), Some("Second page"));
        assert_eq!(page_text(pdf, 3), None);
        assert_eq!(cited_page(1), 1);
        assert_eq!(cited_page(40), 2);
    }

    #[test]
    fn document_names_follow_the_converse_rule() {
        assert!(valid_document_name("Annual report (2025) [v2]"));
        assert!(!valid_document_name("財報 2025_v2.pdf"));
        assert!(!valid_document_name("two  spaces"));
        assert!(!valid_document_name(""));
    }
}
