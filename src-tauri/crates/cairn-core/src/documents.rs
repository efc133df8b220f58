//! PDFs for Claude: checked before anything is sent (really a PDF, not encrypted, pages, size,
//! limits by API and model), kept content-addressed (SHA-256) next to the database, and named
//! neutrally for Bedrock while the real file name stays for display.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_bedrock::access::{accepts_context_1m, limits_for};
use cairn_bedrock::chat::{ChatApi, ChatSettings};
use cairn_bedrock::ErrorKind;
use sha2::{Digest, Sha256};

use crate::CairnError;

/// At most this many documents in one request (all turns together).
pub const MAX_DOCUMENTS: usize = 5;
/// Converse takes documents up to 4.5 MB, except PDFs for Claude 4 and later.
pub const CONVERSE_DOCUMENT_BYTES: u64 = 4_718_592;
/// The whole request, documents base64-encoded: a 22 MB PDF passes, a 25 MB one does not.
pub const REQUEST_BYTES: u64 = 32 * 1024 * 1024;
/// Pages in one request for 200K-context models, and with the 1M context.
pub const PAGES_200K: u32 = 100;
pub const PAGES_1M: u32 = 600;

pub use cairn_store::DocumentInfo;

fn refused(code: &str, message: String) -> CairnError {
    CairnError::new(ErrorKind::InvalidInput, message).with_code(code)
}

/// Base64 size of `bytes` raw bytes.
fn encoded(bytes: u64) -> u64 {
    bytes.div_ceil(3) * 4
}

/// Checks that `bytes` are a PDF Claude can read and returns its page count.
pub fn inspect_pdf(bytes: &[u8]) -> Result<u32, CairnError> {
    if bytes.is_empty() {
        return Err(refused("DocumentEmpty", "the file is empty".into()));
    }
    // The header may follow up to 1 KB of other bytes (the PDF specification allows it).
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(refused("DocumentNotPdf", "the file is not a PDF".into()));
    }
    // A PDF ends with %%EOF (give or take trailing whitespace): a file without one was cut
    // short in transfer, even when a lenient reader could still find a page in it.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(refused(
            "DocumentUnreadable",
            "the PDF is cut short (no end-of-file marker)".into(),
        ));
    }
    let declares_encryption = bytes.windows(8).any(|w| w == b"/Encrypt");
    let meta = match lopdf::Document::load_metadata_mem(bytes) {
        Ok(meta) => meta,
        Err(_) if declares_encryption => {
            return Err(refused("DocumentEncrypted", "the PDF is encrypted".into()))
        }
        Err(e) => {
            return Err(refused(
                "DocumentUnreadable",
                format!("the PDF cannot be read: {e}"),
            ))
        }
    };
    if meta.encrypted {
        return Err(refused("DocumentEncrypted", "the PDF is encrypted".into()));
    }
    if meta.page_count == 0 {
        return Err(refused("DocumentUnreadable", "the PDF has no pages".into()));
    }
    Ok(meta.page_count)
}

/// A name Converse accepts: letters and digits (ASCII), single spaces, hyphens, parentheses and
/// square brackets, 1–200 characters. Anything else becomes a space; nothing is left → "Document".
pub fn sanitize_document_name(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
                c
            } else {
                ' '
            }
        })
        .collect();
    let joined = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = joined.chars().take(200).collect();
    let cut = cut.trim_end().to_owned();
    if cut.is_empty() {
        "Document".to_owned()
    } else {
        cut
    }
}

/// What Bedrock is told a document is called: a neutral name (a file name is also a way to
/// slip instructions to the model), numbered in the order the request carries them.
pub fn neutral_name(index: usize) -> String {
    sanitize_document_name(&format!("Document {}", index + 1))
}

/// The documents of one request, checked against the API's and the model's limits, with a
/// message that says what to do.
pub fn check_request(
    documents: &[DocumentInfo],
    has_text: bool,
    model_id: &str,
    settings: &ChatSettings,
) -> Result<(), CairnError> {
    if documents.is_empty() {
        return Ok(());
    }
    if !has_text {
        return Err(refused(
            "DocumentNeedsText",
            "a message with documents needs a question or instruction too".into(),
        ));
    }
    if documents.len() > MAX_DOCUMENTS {
        return Err(refused(
            "TooManyDocuments",
            format!(
                "{} documents in this conversation; a request can carry at most {MAX_DOCUMENTS}",
                documents.len()
            ),
        ));
    }
    let limits = limits_for(model_id);
    if limits.is_some_and(|l| !l.pdf) {
        return Err(refused(
            "DocumentUnsupportedModel",
            format!("{model_id} does not read PDFs"),
        ));
    }
    if settings.api == ChatApi::Converse && limits.is_some_and(|l| !l.converse_large_pdf) {
        if let Some(big) = documents
            .iter()
            .find(|d| u64::from(d.size_bytes) > CONVERSE_DOCUMENT_BYTES)
        {
            return Err(refused(
                "DocumentTooLargeForConverse",
                format!(
                    "{} is {} bytes; through Converse this model takes at most 4.5 MB per document",
                    big.name, big.size_bytes
                ),
            ));
        }
    }
    let one_million = (settings.context_1m && accepts_context_1m(model_id))
        || limits.is_some_and(|l| l.context_window >= 1_000_000);
    let max_pages = if one_million { PAGES_1M } else { PAGES_200K };
    let pages: u32 = documents.iter().map(|d| d.pages).sum();
    if pages > max_pages {
        return Err(refused(
            "DocumentTooManyPages",
            format!("{pages} pages in this request; this model reads at most {max_pages}"),
        ));
    }
    let size: u64 = documents
        .iter()
        .map(|d| encoded(u64::from(d.size_bytes)))
        .sum();
    if size > REQUEST_BYTES {
        return Err(refused(
            "DocumentsTooLarge",
            format!("the documents come to {size} bytes encoded; a request can be at most 32 MB"),
        ));
    }
    Ok(())
}

/// PDFs kept by their SHA-256 in a folder next to the database.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> CairnError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        ErrorKind::NotFound
    } else {
        ErrorKind::Storage
    };
    CairnError::new(kind, format!("cannot {what} {}: {e}", path.display()))
        .with_code("DocumentFileUnreadable")
}

impl DocumentStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path_of(&self, id: &str) -> Result<PathBuf, CairnError> {
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CairnError::new(
                ErrorKind::NotFound,
                format!("no document {id}"),
            ));
        }
        Ok(self.dir.join(format!("{id}.pdf")))
    }

    /// Reads, checks and keeps a file the user chose. Files too large for any request are
    /// refused before they are read whole.
    pub fn add_file(&self, path: &Path) -> Result<DocumentInfo, CairnError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "document.pdf".to_owned());
        let file = std::fs::File::open(path).map_err(|e| io_error("open", path, e))?;
        let size = file
            .metadata()
            .map_err(|e| io_error("read", path, e))?
            .len();
        if encoded(size) > REQUEST_BYTES {
            return Err(refused(
                "DocumentsTooLarge",
                format!("{name} is {size} bytes; a request can be at most 32 MB encoded (about 24 MB of PDF)"),
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.take(REQUEST_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error("read", path, e))?;
        self.add_bytes(&name, bytes)
    }

    pub fn add_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<DocumentInfo, CairnError> {
        let pages = inspect_pdf(&bytes)?;
        let size_bytes = u32::try_from(bytes.len())
            .map_err(|_| refused("DocumentsTooLarge", format!("{name} is too large")))?;
        let id = hex::encode(Sha256::digest(&bytes));
        let path = self.path_of(&id)?;
        if !path.exists() {
            std::fs::create_dir_all(&self.dir).map_err(|e| io_error("create", &self.dir, e))?;
            // Written under a temporary name, then renamed: a crash never leaves half a file.
            let partial = self.dir.join(format!("{id}.partial"));
            std::fs::write(&partial, &bytes).map_err(|e| io_error("write", &partial, e))?;
            std::fs::rename(&partial, &path).map_err(|e| io_error("write", &path, e))?;
        }
        Ok(DocumentInfo {
            id,
            name: name.to_owned(),
            pages,
            size_bytes,
        })
    }

    /// Where a stored document is, once checked that it is there.
    pub fn path(&self, id: &str) -> Result<PathBuf, CairnError> {
        let path = self.path_of(id)?;
        if !path.is_file() {
            return Err(CairnError::new(
                ErrorKind::NotFound,
                format!("{} is missing", path.display()),
            ));
        }
        Ok(path)
    }

    pub fn read(&self, id: &str) -> Result<Arc<Vec<u8>>, CairnError> {
        let path = self.path_of(id)?;
        std::fs::read(&path)
            .map(Arc::new)
            .map_err(|e| io_error("read", &path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule_ok(name: &str) -> bool {
        !name.is_empty()
            && name.chars().count() <= 200
            && !name.contains("  ")
            && !name.starts_with(' ')
            && !name.ends_with(' ')
            && name.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')' | '[' | ']')
            })
    }

    #[test]
    fn names_follow_the_converse_rule() {
        assert_eq!(
            sanitize_document_name("財報 2025 (草稿)_v2.pdf"),
            "2025 ( ) v2 pdf"
        );
        assert_eq!(
            sanitize_document_name("Annual report [v2]"),
            "Annual report [v2]"
        );
        assert_eq!(sanitize_document_name("../../\u{202e}"), "Document");
        assert_eq!(neutral_name(0), "Document 1");
    }

    proptest! {
        #[test]
        fn any_name_becomes_a_valid_one(raw in any::<String>()) {
            let name = sanitize_document_name(&raw);
            prop_assert!(rule_ok(&name), "{name:?}");
        }

        #[test]
        fn the_checker_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = inspect_pdf(&bytes);
        }

        #[test]
        fn the_checker_never_panics_on_damaged_pdfs(cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
            let mut pdf = crate::documents::tests::tiny_pdf().to_vec();
            if flip < pdf.len() {
                pdf[flip] = byte;
            }
            pdf.truncate(cut.max(5).min(pdf.len()));
            let _ = inspect_pdf(&pdf);
        }
    }

    pub(crate) fn tiny_pdf() -> &'static [u8] {
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\ntrailer << /Root 1 0 R /Size 4 >>\n%%EOF\n"
    }

    #[test]
    fn a_tiny_pdf_has_one_page_and_bad_files_have_their_own_codes() {
        assert_eq!(inspect_pdf(tiny_pdf()).map_err(|e| e.code), Ok(1));
        let code = |b: &[u8]| inspect_pdf(b).err().and_then(|e| e.code);
        assert_eq!(code(b"").as_deref(), Some("DocumentEmpty"));
        assert_eq!(
            code(b"PK\x03\x04 a zip file").as_deref(),
            Some("DocumentNotPdf")
        );
        assert_eq!(
            code(b"%PDF-1.4\ngarbage").as_deref(),
            Some("DocumentUnreadable")
        );
    }
}
