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
        action: None,
        documents: Vec::new(),
    }
}

type Events = Arc<Mutex<Vec<ChatEvent>>>;

fn recorder() -> (Events, impl FnMut(ChatEvent)) {
    let events: Events = Arc::default();
    let sink = events.clone();
    (events, move |e| sink.lock().expect("lock").push(e))
}

/// Sends `text`, presses Stop after `after`, and returns how long the send took to end after
/// Stop, with the events it emitted.
async fn send_then_stop(
    service: ChatService,
    text: &str,
    after: Duration,
) -> (Duration, Vec<ChatEvent>) {
    let cancel = CancellationToken::new();
    let (events, emit) = recorder();
    let task = {
        let cancel = cancel.clone();
        let req = request(None, text);
        tokio::spawn(async move { service.send(req, cancel, emit).await })
    };
    tokio::time::sleep(after).await;
    let pressed = Instant::now();
    cancel.cancel();
    task.await.expect("join").expect("send");
    let took = pressed.elapsed();
    let events = events.lock().expect("lock").clone();
    (took, events)
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
    assert_eq!(stored.messages[1].stop_reason.as_deref(), Some("end_turn"));
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
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (took, events) =
        send_then_stop(service, "long answer please", Duration::from_millis(400)).await;
    assert!(took < Duration::from_millis(200), "stop took {took:?}");

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
    // Sonnet 4 takes temperature and top-p together (Sonnet 4.5 would not).
    let mut req = request(None, "Hi [[sim:tokens=3]]");
    req.model_id = "us.anthropic.claude-sonnet-4-20250514-v1:0".into();
    req.settings = Some(ChatSettings {
        system: Some("Sys".into()),
        temperature: Some(0.7),
        top_p: Some(0.9),
        top_k: Some(10),
        ..ChatSettings::default()
    });
    let (events, emit) = recorder();
    service
        .send(req, CancellationToken::new(), emit)
        .await
        .expect("send");
    assert!(matches!(
        events.lock().expect("lock").last(),
        Some(ChatEvent::Done { .. })
    ));
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
        serde_json::json!({ "top_k": 10 })
    );

    // Thinking without max tokens: room is made for the budget and an answer.
    let mut req = request(None, "Think [[sim:tokens=3]]");
    req.settings = Some(ChatSettings {
        thinking_budget: Some(2048),
        ..ChatSettings::default()
    });
    service
        .send(req, CancellationToken::new(), |_| {})
        .await
        .expect("send");
    let body = session.simulator.requests().pop().expect("request")["body"].clone();
    assert_eq!(
        body["additionalModelRequestFields"],
        serde_json::json!({ "thinking": {"type": "enabled", "budget_tokens": 2048} })
    );
    assert_eq!(body["inferenceConfig"]["maxTokens"], 2048 + 4096);

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
    let service = ChatService::new(store.clone(), session.clients.clone())
        .with_retry_delays(vec![Duration::from_secs(30)]);
    let (took, events) =
        send_then_stop(service, "x [[sim:throttle]]", Duration::from_millis(300)).await;
    assert!(took < Duration::from_millis(200));
    assert!(events
        .iter()
        .any(|e| matches!(e, ChatEvent::Retrying { .. })));
    assert!(
        matches!(events.last(), Some(ChatEvent::Cancelled)),
        "{events:?}"
    );
}

fn settings_of(
    f: impl FnOnce(&mut cairn_bedrock::chat::ChatSettings),
) -> cairn_bedrock::chat::ChatSettings {
    let mut settings = cairn_bedrock::chat::ChatSettings::default();
    f(&mut settings);
    settings
}

#[tokio::test]
async fn settings_the_model_refuses_are_named_before_anything_is_sent() {
    use cairn_bedrock::error::ChatParameter::*;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let cases = [
        (
            settings_of(|s| {
                s.temperature = Some(0.5);
                s.top_p = Some(0.9);
            }),
            "TemperatureWithTopP",
            vec![TopP, Temperature],
        ),
        (
            settings_of(|s| {
                s.thinking_budget = Some(2048);
                s.temperature = Some(0.2);
            }),
            "ThinkingWithTemperature",
            vec![Temperature, Thinking],
        ),
        (
            settings_of(|s| {
                s.thinking_budget = Some(2048);
                s.top_k = Some(5);
            }),
            "ThinkingWithTopK",
            vec![TopK, Thinking],
        ),
        (
            settings_of(|s| {
                s.thinking_budget = Some(4096);
                s.max_tokens = Some(4096);
            }),
            "ThinkingBudgetAboveMaxTokens",
            vec![MaxTokens, Thinking],
        ),
        (
            settings_of(|s| s.thinking_budget = Some(500)),
            "ThinkingBudgetTooSmall",
            vec![Thinking],
        ),
        (
            settings_of(|s| s.max_tokens = Some(1_000_000)),
            "MaxTokensAboveLimit",
            vec![MaxTokens],
        ),
    ];
    for (settings, code, parameters) in cases {
        let mut req = request(None, "refused");
        req.settings = Some(settings);
        let err = service
            .send(req, CancellationToken::new(), |_| {})
            .await
            .expect_err(code);
        assert_eq!(
            (err.kind, err.code.as_deref(), err.parameters),
            (ErrorKind::InvalidInput, Some(code), parameters)
        );
    }
    // Claude 3 Haiku has no extended thinking.
    let mut req = request(None, "refused");
    req.model_id = "anthropic.claude-3-haiku-20240307-v1:0".into();
    req.settings = Some(settings_of(|s| s.thinking_budget = Some(2048)));
    let err = service
        .send(req, CancellationToken::new(), |_| {})
        .await
        .expect_err("no thinking");
    assert_eq!(err.code.as_deref(), Some("ThinkingUnsupported"));
    assert!(session.simulator.requests().is_empty(), "nothing was sent");
    assert!(
        store.list_conversations().expect("list").is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_validation_exception_from_bedrock_names_its_parameters() {
    use cairn_bedrock::chat::{stream_answer, ChatRequest, Turn, TurnRole};
    use cairn_bedrock::error::ChatParameter::*;
    let (session, _store, _dir) = demo(SimConfig::default()).await;
    // Straight to Bedrock, past Cairn's own check, as for a model the bundled data lacks.
    for api in [
        cairn_bedrock::chat::ChatApi::Converse,
        cairn_bedrock::chat::ChatApi::InvokeModel,
    ] {
        let err = stream_answer(
            &session.clients,
            &ChatRequest {
                model_id: MODEL.into(),
                turns: vec![Turn::text(TurnRole::User, "hi")],
                settings: settings_of(|s| {
                    s.api = api;
                    s.temperature = Some(0.5);
                    s.top_p = Some(0.9);
                }),
            },
        )
        .await
        .expect_err("Bedrock refuses");
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{api:?}");
        assert_eq!(err.code.as_deref(), Some("ValidationException"));
        assert_eq!(
            err.parameters,
            [Temperature, TopP],
            "{api:?}: {}",
            err.message
        );
    }
}

/// Sends `text` and returns (conversation, the events).
async fn say(
    service: &ChatService,
    conversation: Option<String>,
    text: &str,
    action: Option<cairn_core::chat::SendAction>,
) -> (String, Vec<ChatEvent>) {
    let (events, emit) = recorder();
    let mut req = request(conversation, text);
    req.action = action;
    service
        .send(req, CancellationToken::new(), emit)
        .await
        .expect("send");
    let events = events.lock().expect("lock").clone();
    (conversation_of(&events), events)
}

fn texts(store: &Store, conversation: &str) -> Vec<(Role, String)> {
    store
        .conversation(conversation)
        .expect("read")
        .messages
        .into_iter()
        .map(|m| (m.role, m.text))
        .collect()
}

#[tokio::test]
async fn editing_a_question_replaces_everything_after_it() {
    use cairn_core::chat::SendAction;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (c, _) = say(&service, None, "q1 [[sim:tokens=3]]", None).await;
    say(&service, Some(c.clone()), "q2 [[sim:tokens=3]]", None).await;
    let first_question = store.conversation(&c).expect("read").messages[0].id.clone();
    session.simulator.clear_requests();

    let (_, events) = say(
        &service,
        Some(c.clone()),
        "q1, edited [[sim:tokens=4]]",
        Some(SendAction::Edit {
            message_id: first_question.clone(),
        }),
    )
    .await;
    let ChatEvent::Started {
        user_message_id,
        continued_from,
        ..
    } = &events[0]
    else {
        panic!("Started first");
    };
    assert_eq!((user_message_id, continued_from), (&first_question, &None));
    let stored = texts(&store, &c);
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored[0],
        (Role::User, "q1, edited [[sim:tokens=4]]".to_owned())
    );
    assert_eq!(stored[1].1.split_inclusive(' ').count(), 4);
    let body = &session.simulator.requests()[0]["body"];
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "q1, edited [[sim:tokens=4]]"
    );

    // An answer cannot be edited, and an empty edit is refused, both before anything changes.
    let answer = store.conversation(&c).expect("read").messages[1].id.clone();
    for (text, id) in [("x", answer.as_str()), ("  ", first_question.as_str())] {
        let mut req = request(Some(c.clone()), text);
        req.action = Some(SendAction::Edit {
            message_id: id.into(),
        });
        let err = service
            .send(req, CancellationToken::new(), |_| {})
            .await
            .expect_err("refused");
        assert_eq!(err.kind, ErrorKind::InvalidInput);
    }
    assert_eq!(texts(&store, &c), stored);
}

#[tokio::test]
async fn regenerating_answers_the_same_question_again() {
    use cairn_core::chat::SendAction;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    // The first try fails (throttled, with no automatic retries), regenerating it works.
    let (c, _) = say(&service, None, "q1 [[sim:tokens=3]]", None).await;
    let failing = "q2 [[sim:throttle-times=1]] [[sim:tokens=5]]";
    let fast = ChatService::new(store.clone(), session.clients.clone()).with_retry_delays(vec![]);
    let (_, events) = say(&fast, Some(c.clone()), failing, None).await;
    assert!(matches!(events.last(), Some(ChatEvent::Failed { .. })));
    let failed = store.conversation(&c).expect("read").messages[3].clone();
    assert_eq!(failed.status, MessageStatus::Failed);
    session.simulator.clear_requests();

    let (_, events) = say(
        &service,
        Some(c.clone()),
        "",
        Some(SendAction::Regenerate {
            message_id: failed.id.clone(),
        }),
    )
    .await;
    assert!(matches!(events.last(), Some(ChatEvent::Done { .. })));
    let messages = store.conversation(&c).expect("read").messages;
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[3].status, MessageStatus::Complete);
    assert_ne!(messages[3].id, failed.id);
    let body = &session.simulator.requests()[0]["body"];
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);

    // Regenerating the first answer drops the second exchange.
    let first_answer = messages[1].id.clone();
    say(
        &service,
        Some(c.clone()),
        "",
        Some(SendAction::Regenerate {
            message_id: first_answer,
        }),
    )
    .await;
    let after: Vec<Role> = texts(&store, &c).into_iter().map(|(r, _)| r).collect();
    assert_eq!(after, [Role::User, Role::Assistant]);
}

#[tokio::test]
async fn an_interrupted_answer_continues_where_it_stopped() {
    use cairn_core::chat::SendAction;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    let (c, _) = say(
        &service,
        None,
        "q [[sim:drop-after=6]] [[sim:tokens=40]]",
        None,
    )
    .await;
    let cut = store.conversation(&c).expect("read").messages[1].clone();
    assert_eq!(cut.status, MessageStatus::Incomplete);
    let so_far = cut.text.trim_end().to_owned();
    assert!(
        cut.text.ends_with(char::is_whitespace),
        "the cut text ends in whitespace: {:?}",
        cut.text
    );
    session.simulator.clear_requests();

    // The question still carries the directive, so the continuation is cut after six tokens
    // too: both parts must be kept, in order.
    let (_, events) = say(
        &service,
        Some(c.clone()),
        "",
        Some(SendAction::Continue {
            message_id: cut.id.clone(),
        }),
    )
    .await;
    let ChatEvent::Started {
        assistant_message_id,
        continued_from,
        ..
    } = &events[0]
    else {
        panic!("Started first");
    };
    assert_eq!(assistant_message_id, &cut.id);
    assert_eq!(continued_from.as_deref(), Some(so_far.as_str()));
    let body = &session.simulator.requests()[0]["body"];
    let last = &body["messages"][1];
    assert_eq!(last["role"], "assistant");
    assert_eq!(
        last["content"][0]["text"],
        so_far.as_str(),
        "sent without trailing space"
    );
    let deltas: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(deltas.starts_with(" …continuing after"), "{deltas}");
    assert!(matches!(events.last(), Some(ChatEvent::Failed { .. })));
    let stored = store.message(&cut.id).expect("read").message;
    assert_eq!(stored.text, format!("{so_far}{deltas}"));
    assert_eq!(stored.status, MessageStatus::Incomplete);

    // Only the last answer continues.
    say(&service, Some(c.clone()), "next [[sim:tokens=2]]", None).await;
    let mut req = request(Some(c.clone()), "");
    req.action = Some(SendAction::Continue {
        message_id: cut.id.clone(),
    });
    let err = service
        .send(req, CancellationToken::new(), |_| {})
        .await
        .expect_err("not the last");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn thinking_streams_before_the_answer_and_is_stored_with_its_cost() {
    use cairn_bedrock::chat::ChatApi;
    let (session, store, _dir) = demo(SimConfig::default()).await;
    let service = ChatService::new(store.clone(), session.clients.clone());
    for api in [ChatApi::Converse, ChatApi::InvokeModel] {
        let mut req = request(None, "Why? [[sim:tokens=6]]");
        req.settings = Some(settings_of(|s| {
            s.api = api;
            s.thinking_budget = Some(1024);
        }));
        let (events, emit) = recorder();
        service
            .send(req, CancellationToken::new(), emit)
            .await
            .expect("send");
        let events = events.lock().expect("lock").clone();
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                ChatEvent::Thinking { .. } => "thinking",
                ChatEvent::Delta { .. } => "delta",
                ChatEvent::Started { .. } => "started",
                ChatEvent::Done { .. } => "done",
                _ => "other",
            })
            .collect();
        let first_delta = kinds.iter().position(|k| *k == "delta").expect("deltas");
        let last_thinking = kinds
            .iter()
            .rposition(|k| *k == "thinking")
            .expect("thinking");
        assert!(last_thinking < first_delta, "{api:?}: {kinds:?}");
        let thinking: String = events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Thinking { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(thinking.starts_with("The user wrote"), "{thinking}");
        let Some(ChatEvent::Done { usage, .. }) = events.last() else {
            panic!("{api:?}: Done last");
        };
        let answer = store
            .conversation(&conversation_of(&events))
            .expect("read")
            .messages[1]
            .clone();
        assert_eq!(answer.thinking.as_deref(), Some(thinking.as_str()));
        assert_eq!(
            answer.usage.as_ref(),
            Some(usage),
            "{api:?}: the usage is stored"
        );
        let thinking_tokens = thinking.split_inclusive(' ').count() as u32;
        assert_eq!(usage.output_tokens, 6 + thinking_tokens, "{api:?}");
        assert!(usage.cost_usd.is_some_and(|c| c > 0.0) && usage.total_ms.is_some());
    }
}
