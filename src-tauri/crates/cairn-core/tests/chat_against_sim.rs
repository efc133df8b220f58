//! The chat use case against the simulator over real HTTP, with a real SQLite file.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_bedrock::ErrorKind;
use cairn_core::chat::{ChatEvent, ChatService, SendRequest};
use cairn_core::session::{start_demo, Demo};
use cairn_sim::SimConfig;
use cairn_store::{MessageStatus, Role, Store};
use tokio_util::sync::CancellationToken;

const MODEL: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";

async fn demo(config: SimConfig) -> (Demo, Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let session = start_demo(config).await.expect("demo starts");
    (session, store, dir)
}

fn request(conversation: Option<String>, text: &str) -> SendRequest {
    SendRequest {
        stream_id: "s1".into(),
        conversation_id: conversation,
        model_id: MODEL.into(),
        text: text.into(),
    }
}

type Events = Arc<Mutex<Vec<ChatEvent>>>;

fn recorder() -> (Events, impl FnMut(ChatEvent)) {
    let events: Events = Arc::default();
    let sink = events.clone();
    (events, move |e| sink.lock().expect("lock").push(e))
}

fn conversation_of(events: &[ChatEvent]) -> String {
    match &events[0] {
        ChatEvent::Started {
            conversation_id, ..
        } => conversation_id.clone(),
        other => panic!("first event must be Started, got {other:?}"),
    }
}

#[tokio::test]
async fn an_answer_streams_in_pieces_and_is_stored() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (events, emit) = recorder();
    service
        .send(
            request(None, "Hello Claude [[sim:tokens=30]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("send");
    let events = events.lock().expect("lock").clone();
    let deltas: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Delta { text } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(deltas.len(), 30, "one delta per simulated token");
    let terminal: Vec<&ChatEvent> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ChatEvent::Done { .. } | ChatEvent::Failed { .. } | ChatEvent::Cancelled
            )
        })
        .collect();
    assert_eq!(terminal.len(), 1, "exactly one terminal event");
    let ChatEvent::Done { usage, stop_reason } = terminal[0] else {
        panic!("expected Done, got {:?}", terminal[0]);
    };
    assert_eq!(stop_reason, "end_turn");
    assert_eq!(usage.output_tokens, 30);
    assert!(usage.input_tokens > 0);

    let stored = store
        .conversation(&conversation_of(&events))
        .expect("stored");
    assert_eq!(stored.summary.title, "Hello Claude [[sim:tokens=30]]");
    assert_eq!(stored.messages.len(), 2);
    assert_eq!(stored.messages[1].status, MessageStatus::Complete);
    let joined: String = deltas.iter().map(|s| s.as_str()).collect();
    assert_eq!(stored.messages[1].text, joined);
    assert!(joined.contains(MODEL) && joined.contains("ConverseStream"));

    // The simulator saw exactly what the engine sent.
    let sim = &session.simulator;
    let recorded = sim.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["operation"], "ConverseStream");
    assert_eq!(recorded[0]["modelId"], MODEL);
    assert_eq!(recorded[0]["auth"]["verdict"], "ok");
    assert_eq!(recorded[0]["body"]["messages"][0]["role"], "user");
}

#[tokio::test]
async fn the_second_turn_sends_the_history() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (events, emit) = recorder();
    service
        .send(
            request(None, "first [[sim:tokens=3]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("first");
    let conversation = conversation_of(&events.lock().expect("lock"));
    let (_, emit) = recorder();
    service
        .send(
            request(Some(conversation.clone()), "second [[sim:tokens=3]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("second");
    let sim = &session.simulator;
    let body = &sim.requests()[1]["body"];
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(
        store
            .conversation(&conversation)
            .expect("read")
            .messages
            .len(),
        4
    );
}

#[tokio::test]
async fn stop_cancels_quickly_and_keeps_the_partial_answer() {
    let config = SimConfig {
        tokens_per_second: 50,
        answer_tokens: 500,
        ..SimConfig::default()
    };
    let (session, store, _dir) = demo(config).await;
    let service = Arc::new(ChatService::new(store.clone(), session.clients.clone()));
    let cancel = CancellationToken::new();
    let events: Events = Arc::default();
    let sink = events.clone();
    let task = {
        let service = service.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            service
                .send(request(None, "long answer please"), cancel, move |e| {
                    sink.lock().expect("lock").push(e)
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let pressed = Instant::now();
    cancel.cancel();
    task.await.expect("join").expect("send");
    let took = pressed.elapsed();
    assert!(took < Duration::from_millis(200), "stop took {took:?}");

    let events = events.lock().expect("lock").clone();
    assert!(matches!(events.last(), Some(ChatEvent::Cancelled)));
    let stored = store.conversation(&conversation_of(&events)).expect("read");
    let answer = &stored.messages[1];
    assert_eq!(answer.status, MessageStatus::Cancelled);
    assert!(!answer.text.is_empty(), "the partial answer is kept");
    assert!(answer.text.split_whitespace().count() < 500);
}

#[tokio::test]
async fn a_stream_that_dies_keeps_its_text_marked_incomplete() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    for directive in ["[[sim:stream-error]]", "[[sim:drop-after=7]]"] {
        let (events, emit) = recorder();
        service
            .send(
                request(None, &format!("x {directive}")),
                CancellationToken::new(),
                emit,
            )
            .await
            .expect("send");
        let events = events.lock().expect("lock").clone();
        let Some(ChatEvent::Failed { error }) = events.last() else {
            panic!("{directive}: expected Failed, got {:?}", events.last());
        };
        let expected = if directive.contains("drop") {
            ErrorKind::Network
        } else {
            ErrorKind::Service
        };
        assert_eq!(error.kind, expected, "{directive}: {error:?}");
        let answer = &store
            .conversation(&conversation_of(&events))
            .expect("read")
            .messages[1];
        assert_eq!(answer.status, MessageStatus::Incomplete, "{directive}");
        assert!(!answer.text.is_empty(), "{directive}: partial text kept");
    }
}

#[tokio::test]
async fn errors_before_the_stream_have_kinds_and_keep_the_question() {
    let config = SimConfig {
        faults: cairn_sim::config::Faults {
            access_denied_models: vec!["anthropic.claude-opus-4-1-20250805-v1:0".into()],
            throttle_all: false,
        },
        ..SimConfig::default()
    };
    let (session, store, _dir) = demo(config).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let cases = [
        (
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            "hi",
            ErrorKind::AccessDenied,
        ),
        (
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "hi",
            ErrorKind::NeedsProfile,
        ),
        ("anthropic.claude-nonexistent", "hi", ErrorKind::NotFound),
        (MODEL, "hi [[sim:expired]]", ErrorKind::Credentials),
        (MODEL, "hi [[sim:status=503]]", ErrorKind::Service),
    ];
    for (model, text, kind) in cases {
        let (events, emit) = recorder();
        let mut req = request(None, text);
        req.model_id = model.into();
        service
            .send(req, CancellationToken::new(), emit)
            .await
            .expect("send");
        let events = events.lock().expect("lock").clone();
        let Some(ChatEvent::Failed { error }) = events.last() else {
            panic!("{model}: expected Failed, got {events:?}");
        };
        assert_eq!(error.kind, kind, "{model} {text}: {error:?}");
        let stored = store.conversation(&conversation_of(&events)).expect("read");
        assert_eq!(stored.messages[0].role, Role::User);
        assert_eq!(stored.messages[0].text, text);
        assert_eq!(stored.messages[1].status, MessageStatus::Failed);
    }
}

#[tokio::test]
async fn empty_messages_are_refused_before_anything_is_stored() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (events, emit) = recorder();
    let err = service
        .send(request(None, "  \n "), CancellationToken::new(), emit)
        .await
        .expect_err("empty");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(events.lock().expect("lock").is_empty());
    assert!(store.list_conversations().expect("list").is_empty());
}
