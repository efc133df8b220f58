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
        settings: None,
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
    let service = ChatService::new(store.clone(), session.clients.clone())
        .with_retry_delays(vec![Duration::from_millis(10)]);
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

#[tokio::test]
async fn invoke_model_streams_with_the_settings_and_they_are_remembered() {
    use cairn_bedrock::chat::{ChatApi, ChatSettings};
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let settings = ChatSettings {
        api: ChatApi::InvokeModel,
        system: Some("You are terse.".into()),
        max_tokens: Some(100),
        temperature: Some(0.2),
        top_k: Some(30),
        stop_sequences: vec!["STOP".into()],
        context_1m: true,
        ..ChatSettings::default()
    };
    let (events, emit) = recorder();
    let mut req = request(None, "Hello [[sim:tokens=60]]");
    req.settings = Some(settings.clone());
    service
        .send(req, CancellationToken::new(), emit)
        .await
        .expect("send");
    let events = events.lock().expect("lock").clone();
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(text.contains("InvokeModelWithResponseStream"), "{text}");
    assert!(
        text.contains("System prompt: yes") && text.contains("context-1m-2025-08-07"),
        "{text}"
    );
    let Some(ChatEvent::Done { usage, stop_reason }) = events.last() else {
        panic!("expected Done: {events:?}");
    };
    assert_eq!(
        (usage.output_tokens, stop_reason.as_str()),
        (60, "end_turn")
    );
    assert!(usage.input_tokens > 0);
    let expected = (f64::from(usage.input_tokens) * 3.0 + 60.0 * 15.0) / 1e6;
    assert!(
        (usage.cost_usd.expect("priced") - expected).abs() < 1e-12,
        "{usage:?}"
    );
    assert_eq!(usage.price_date.as_deref(), Some("2026-11-01"));

    // The exact body the simulator received.
    let sim = &session.simulator;
    let recorded = sim.requests().pop().expect("request");
    assert_eq!(recorded["operation"], "InvokeModelWithResponseStream");
    assert_eq!(
        recorded["body"],
        serde_json::json!({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello [[sim:tokens=60]]"}]}],
            "system": "You are terse.",
            "temperature": 0.2,
            "stop_sequences": ["STOP"],
            "top_k": 30,
            "anthropic_beta": ["context-1m-2025-08-07"],
        })
    );

    // The next message without settings reuses the saved ones.
    let conversation = conversation_of(&events);
    assert_eq!(service.settings(&conversation).expect("saved"), settings);
    let (_, emit) = recorder();
    service
        .send(
            request(Some(conversation), "again [[sim:tokens=2]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("send");
    assert_eq!(
        sim.requests().pop().expect("request")["operation"],
        "InvokeModelWithResponseStream"
    );
}

#[tokio::test]
async fn converse_carries_parameters_and_the_beta_only_where_accepted() {
    use cairn_bedrock::chat::ChatSettings;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (_, emit) = recorder();
    let mut req = request(None, "Hi [[sim:tokens=3]]");
    req.settings = Some(ChatSettings {
        system: Some("Sys".into()),
        temperature: Some(0.7),
        top_p: Some(0.9),
        top_k: Some(10),
        thinking_budget: Some(2048),
        ..ChatSettings::default()
    });
    service
        .send(req, CancellationToken::new(), emit)
        .await
        .expect("send");
    let body = session.simulator.requests().pop().expect("request")["body"].clone();
    assert_eq!(body["system"], serde_json::json!([{ "text": "Sys" }]));
    assert_eq!(
        body["inferenceConfig"]["topP"]
            .as_f64()
            .map(|v| (v * 100.0).round()),
        Some(90.0)
    );
    assert_eq!(
        body["additionalModelRequestFields"],
        serde_json::json!({
            "top_k": 10, "thinking": {"type": "enabled", "budget_tokens": 2048}
        })
    );

    // Haiku 4.5 does not accept the 1M beta: refused before anything is stored or sent.
    session.simulator.clear_requests();
    let mut req = request(None, "long");
    req.model_id = "global.anthropic.claude-haiku-4-5-20251001-v1:0".into();
    req.settings = Some(ChatSettings {
        context_1m: true,
        ..ChatSettings::default()
    });
    let (events, emit) = recorder();
    let err = service
        .send(req, CancellationToken::new(), emit)
        .await
        .expect_err("refused");
    assert_eq!(err.code.as_deref(), Some("Context1mUnsupported"));
    assert!(events.lock().expect("lock").is_empty());
    assert!(session.simulator.requests().is_empty());
}

#[tokio::test]
async fn throttling_is_retried_with_a_countdown_then_answers() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone()).with_retry_delays(vec![
        Duration::from_millis(20),
        Duration::from_millis(40),
        Duration::from_millis(80),
    ]);
    let (events, emit) = recorder();
    service
        .send(
            request(None, "busy [[sim:throttle-times=2]] [[sim:tokens=3]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("send");
    let events = events.lock().expect("lock").clone();
    let retries: Vec<(u32, u32, u32)> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Retrying {
                attempt,
                max_attempts,
                wait_ms,
                error,
            } => {
                assert_eq!(error.kind, ErrorKind::Throttled);
                Some((*attempt, *max_attempts, *wait_ms))
            }
            _ => None,
        })
        .collect();
    assert_eq!(retries, [(1, 3, 20), (2, 3, 40)]);
    assert!(
        matches!(events.last(), Some(ChatEvent::Done { .. })),
        "{events:?}"
    );
    let calls = session.simulator.requests().len();
    assert_eq!(
        calls, 3,
        "two throttled attempts and the answer; the SDK adds no hidden retries"
    );

    // Always throttled: three visible retries, then the failure with its kind.
    let (events, emit) = recorder();
    service
        .send(
            request(None, "always [[sim:throttle]]"),
            CancellationToken::new(),
            emit,
        )
        .await
        .expect("send");
    let events = events.lock().expect("lock").clone();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, ChatEvent::Retrying { .. }))
            .count(),
        3
    );
    let Some(ChatEvent::Failed { error }) = events.last() else {
        panic!("expected Failed: {events:?}");
    };
    assert_eq!(error.kind, ErrorKind::Throttled);
}

#[tokio::test]
async fn stop_during_a_retry_wait_cancels_at_once() {
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = Arc::new(
        ChatService::new(store.clone(), session.clients.clone())
            .with_retry_delays(vec![Duration::from_secs(30)]),
    );
    let cancel = CancellationToken::new();
    let events: Events = Arc::default();
    let sink = events.clone();
    let task = {
        let service = service.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            service
                .send(request(None, "x [[sim:throttle]]"), cancel, move |e| {
                    sink.lock().expect("lock").push(e)
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pressed = Instant::now();
    cancel.cancel();
    task.await.expect("join").expect("send");
    assert!(pressed.elapsed() < Duration::from_millis(200));
    let events = events.lock().expect("lock").clone();
    assert!(events
        .iter()
        .any(|e| matches!(e, ChatEvent::Retrying { .. })));
    assert!(
        matches!(events.last(), Some(ChatEvent::Cancelled)),
        "{events:?}"
    );
}
