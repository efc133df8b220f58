//! PDFs end to end against the simulator: each bad file refused before any request with its
//! own code, good ones sent in exactly the expected Converse / InvokeModel shape, citations
//! back to the stored document, documents re-sent on later turns.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use cairn_bedrock::chat::{ChatApi, ChatSettings};
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use cairn_core::documents::{DocumentInfo, DocumentStore};
use cairn_core::session::{start_demo, Demo};
use cairn_sim::SimConfig;
use cairn_store::Store;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

const SONNET_45: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const SONNET_37: &str = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const REPORT: &str = "財報 2025 (草稿)_v2.pdf";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/pdf")
        .join(name)
}

/// A PDF of `pages` pages of text plus `padding` bytes of an unused binary stream.
fn pdf(pages: usize, padding: usize) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = (1..=pages)
        .map(|n| {
            let content = doc.add_object(Stream::new(
                dictionary! {},
                format!("BT /F1 12 Tf 72 720 Td (Page {n}) Tj ET").into_bytes(),
            ));
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids },
        ),
    );
    if padding > 0 {
        let blob: Vec<u8> = (0..padding)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        doc.add_object(Stream::new(dictionary! {}, blob));
    }
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf");
    out
}

struct Setup {
    session: Demo,
    store: Arc<Store>,
    documents: DocumentStore,
    service: ChatService,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let documents = DocumentStore::new(dir.path().join("documents"));
    let session = start_demo(SimConfig::default()).await.expect("demo");
    let service =
        ChatService::new(store.clone(), session.clients.clone()).with_documents(documents.clone());
    Setup {
        session,
        store,
        documents,
        service,
        _dir: dir,
    }
}

fn request(
    text: &str,
    model: &str,
    documents: Vec<DocumentInfo>,
    settings: ChatSettings,
) -> SendRequest {
    SendRequest {
        stream_id: "s".into(),
        conversation_id: None,
        model_id: model.into(),
        text: text.into(),
        settings: Some(settings),
        action: None,
        documents,
    }
}

async fn send(
    service: &ChatService,
    req: SendRequest,
) -> Result<Vec<ChatEvent>, cairn_core::CairnError> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    service
        .send(req, CancellationToken::new(), move |e| {
            sink.lock().expect("lock").push(e)
        })
        .await?;
    let out = events.lock().expect("lock").clone();
    Ok(out)
}

#[test]
fn each_bad_file_is_refused_at_attach_with_its_own_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = DocumentStore::new(dir.path());
    let big = dir.path().join("30mb.pdf");
    std::fs::write(&big, pdf(1, 30 * 1024 * 1024)).expect("write");
    for (path, code) in [
        (fixture("empty.pdf"), "DocumentEmpty"),
        (fixture("not-a-pdf.pdf"), "DocumentNotPdf"),
        (fixture("encrypted.pdf"), "DocumentEncrypted"),
        (fixture("corrupt.pdf"), "DocumentUnreadable"),
        (big, "DocumentsTooLarge"),
        (dir.path().join("missing.pdf"), "DocumentFileUnreadable"),
    ] {
        let err = docs.add_file(&path).expect_err(code);
        assert_eq!(
            err.code.as_deref(),
            Some(code),
            "{}: {err:?}",
            path.display()
        );
    }
    let good = docs.add_file(&fixture(REPORT)).expect("good");
    assert_eq!((good.name.as_str(), good.pages), (REPORT, 2));
    assert_eq!(
        docs.add_file(&fixture("101-pages.pdf"))
            .expect("long")
            .pages,
        101
    );
    // Content-addressed: the same bytes under another name are one file.
    let copy = dir.path().join("copy.pdf");
    std::fs::copy(fixture(REPORT), &copy).expect("copy");
    assert_eq!(docs.add_file(&copy).expect("copy").id, good.id);
    assert_eq!(
        std::fs::read_dir(dir.path())
            .expect("dir")
            .filter(|e| {
                e.as_ref().is_ok_and(|e| {
                    e.path().extension().is_some_and(|x| x == "pdf")
                        && e.path().parent() == Some(dir.path())
                        && e.file_name().len() == 68
                })
            })
            .count(),
        2
    );
}

#[tokio::test]
async fn limits_by_api_and_model_are_checked_before_anything_is_sent() {
    let s = setup().await;
    let long = s
        .documents
        .add_file(&fixture("101-pages.pdf"))
        .expect("long");
    let report = s.documents.add_file(&fixture(REPORT)).expect("report");
    let five_mb = s
        .documents
        .add_bytes("scan.pdf", pdf(1, 5 * 1024 * 1024))
        .expect("5 MB");
    let converse = ChatSettings::default();
    let invoke = ChatSettings {
        api: ChatApi::InvokeModel,
        ..ChatSettings::default()
    };
    let cases = [
        (
            request("Summarize", SONNET_45, vec![long.clone()], converse.clone()),
            "DocumentTooManyPages",
        ),
        (
            request("", SONNET_45, vec![report.clone()], converse.clone()),
            "DocumentNeedsText",
        ),
        (
            request(
                "Compare",
                SONNET_45,
                vec![report.clone(); 6],
                converse.clone(),
            ),
            "TooManyDocuments",
        ),
        (
            request("Read", SONNET_37, vec![five_mb.clone()], converse.clone()),
            "DocumentTooLargeForConverse",
        ),
        (
            request(
                "Read",
                "anthropic.claude-3-haiku-20240307-v1:0",
                vec![report.clone()],
                converse.clone(),
            ),
            "DocumentUnsupportedModel",
        ),
    ];
    for (req, code) in cases {
        let err = send(&s.service, req).await.expect_err(code);
        assert_eq!(err.code.as_deref(), Some(code), "{err:?}");
    }
    assert!(
        s.session.simulator.requests().is_empty(),
        "nothing was sent"
    );
    assert!(
        s.store.list_conversations().expect("list").is_empty(),
        "nothing was stored"
    );
    // The same 5 MB PDF through InvokeModel, or to a Claude 4 model through Converse, is fine.
    for req in [
        request(
            "Read [[sim:tokens=3]]",
            SONNET_37,
            vec![five_mb.clone()],
            invoke,
        ),
        request("Read [[sim:tokens=3]]", SONNET_45, vec![five_mb], converse),
    ] {
        let events = send(&s.service, req).await.expect("sent");
        assert!(
            matches!(events.last(), Some(ChatEvent::Done { .. })),
            "{:?}",
            events.last()
        );
    }
}

fn b64(path: &Path) -> String {
    base64::engine::general_purpose::STANDARD.encode(std::fs::read(path).expect("read"))
}

#[tokio::test]
async fn converse_sends_a_neutral_name_and_the_exact_bytes_and_cites_the_page() {
    let s = setup().await;
    let report = s.documents.add_file(&fixture(REPORT)).expect("report");
    let events = send(
        &s.service,
        request(
            "What was the margin? [[sim:tokens=5]]",
            SONNET_45,
            vec![report.clone()],
            ChatSettings::default(),
        ),
    )
    .await
    .expect("sent");
    let body = s.session.simulator.requests()[0]["body"].clone();
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"document": {"format": "pdf", "name": "Document 1",
                          "source": {"bytes": b64(&fixture(REPORT))}, "citations": {"enabled": true}}},
            {"cachePoint": {"type": "default"}},
            {"text": "What was the margin? [[sim:tokens=5]]"},
        ])
    );
    assert!(body
        .get("additionalModelRequestFields")
        .is_none_or(|f| f.get("anthropic_beta").is_none()));
    let citation = events
        .iter()
        .find_map(|e| match e {
            ChatEvent::Citation { citation } => Some(citation.clone()),
            _ => None,
        })
        .expect("a citation");
    assert_eq!(citation.number, 1);
    assert_eq!(citation.document_id.as_deref(), Some(report.id.as_str()));
    assert_eq!(citation.document_name, REPORT);
    assert_eq!((citation.page_start, citation.page_end), (Some(2), Some(2)));
    assert_eq!(citation.cited_text, "Operating margin reached 18.5%.");

    let ChatEvent::Started {
        conversation_id, ..
    } = &events[0]
    else {
        panic!("Started")
    };
    let stored = s.store.conversation(conversation_id).expect("read");
    assert_eq!(stored.messages[0].documents, vec![report]);
    assert_eq!(stored.messages[1].citations, vec![citation.clone()]);
    let text = &stored.messages[1].text;
    let before: String = text
        .encode_utf16()
        .take(citation.text_offset as usize)
        .map(|u| char::from_u32(u32::from(u)).unwrap_or('?'))
        .collect();
    assert!(
        before.ends_with("says: "),
        "the marker follows the citing words: {before:?}"
    );

    // A later turn carries the document again (still "Document 1"), then the new question.
    let mut next = request(
        "And revenue? [[sim:tokens=3]]",
        SONNET_45,
        vec![],
        ChatSettings::default(),
    );
    next.conversation_id = Some(conversation_id.clone());
    next.settings = None;
    send(&s.service, next).await.expect("second");
    let body = s.session.simulator.requests()[1]["body"].clone();
    assert_eq!(
        body["messages"][0]["content"][0]["document"]["name"],
        "Document 1"
    );
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn invoke_model_sends_a_base64_document_block_citations_optional() {
    let s = setup().await;
    let report = s.documents.add_file(&fixture(REPORT)).expect("report");
    let one = s.documents.add_file(&fixture("one-page.pdf")).expect("one");
    for citations in [true, false] {
        s.session.simulator.clear_requests();
        let settings = ChatSettings {
            api: ChatApi::InvokeModel,
            document_citations: citations,
            ..ChatSettings::default()
        };
        let events = send(
            &s.service,
            request(
                "Compare [[sim:tokens=4]]",
                SONNET_45,
                vec![report.clone(), one.clone()],
                settings,
            ),
        )
        .await
        .expect("sent");
        let body = s.session.simulator.requests()[0]["body"].clone();
        let content = body["messages"][0]["content"]
            .as_array()
            .cloned()
            .expect("content");
        let mut expected = Vec::new();
        for (i, name) in [REPORT, "one-page.pdf"].iter().enumerate() {
            let mut block = json!({
                "type": "document", "title": format!("Document {}", i + 1),
                "source": {"type": "base64", "media_type": "application/pdf", "data": b64(&fixture(name))},
            });
            if citations {
                block["citations"] = json!({"enabled": true});
            }
            expected.push(block);
        }
        expected[1]["cache_control"] = json!({"type": "ephemeral"});
        expected.push(json!({"type": "text", "text": "Compare [[sim:tokens=4]]"}));
        assert_eq!(content, expected, "citations {citations}");
        assert!(
            body.get("anthropic_beta").is_none(),
            "no beta flag was added"
        );
        let cited: Vec<(String, Option<u32>)> = events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Citation { citation } => {
                    Some((citation.document_name.clone(), citation.page_start))
                }
                _ => None,
            })
            .collect();
        if citations {
            assert_eq!(
                cited,
                [
                    (REPORT.to_owned(), Some(2)),
                    ("one-page.pdf".to_owned(), Some(1))
                ]
            );
        } else {
            assert!(cited.is_empty());
        }
        let Some(ChatEvent::Done { usage, .. }) = events.last() else {
            panic!("Done")
        };
        let _: &Value = &body;
        assert!(usage.input_tokens > 0);
    }
}
