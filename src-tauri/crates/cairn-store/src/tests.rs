use super::*;

#[test]
fn uses_wal_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conversation_id;
    {
        let store = Store::open_in(dir.path()).expect("open");
        assert_eq!(store.journal_mode().expect("mode"), "wal");
        let c = store
            .create_conversation("Hello", "global.m")
            .expect("create");
        conversation_id = c.id;
        store
            .add_message(
                &conversation_id,
                Role::User,
                "Hello",
                MessageStatus::Complete,
                None,
            )
            .expect("user");
        let answer = store
            .add_message(
                &conversation_id,
                Role::Assistant,
                "",
                MessageStatus::Streaming,
                Some("global.m"),
            )
            .expect("assistant");
        store
            .save_partial(&answer, "Half an ans", Some("Thinking so far"))
            .expect("partial");
        // dropped without finishing: as after a crash
    }
    let store = Store::open_in(dir.path()).expect("reopen");
    let conversation = store.conversation(&conversation_id).expect("read");
    assert_eq!(conversation.messages.len(), 2);
    assert_eq!(conversation.messages[0].text, "Hello");
    assert_eq!(conversation.messages[1].text, "Half an ans");
    assert_eq!(
        conversation.messages[1].thinking.as_deref(),
        Some("Thinking so far")
    );
    assert_eq!(conversation.messages[1].status, MessageStatus::Incomplete);
    assert_eq!(
        store.list_conversations().expect("list")[0].message_count,
        2
    );
}

#[test]
fn finishing_records_status_and_usage() {
    let store = Store::open_in_memory().expect("open");
    let c = store.create_conversation("t", "m").expect("create");
    let id = store
        .add_message(
            &c.id,
            Role::Assistant,
            "",
            MessageStatus::Streaming,
            Some("m"),
        )
        .expect("add");
    let usage = Usage {
        input_tokens: 12,
        output_tokens: 34,
        cache_read_tokens: 5,
        cache_write_tokens: 6,
        first_token_ms: Some(120),
        total_ms: Some(900),
        cost_usd: Some(0.000_546),
        price_date: Some("2026-11-01".into()),
    };
    store
        .finish_message(&id, "done", None, MessageStatus::Complete, Some(&usage))
        .expect("finish");
    let m = &store.conversation(&c.id).expect("read").messages[0];
    assert_eq!(m.status, MessageStatus::Complete);
    assert_eq!(m.usage.as_ref(), Some(&usage));
    assert_eq!(m.thinking, None);
    assert_eq!(store.message(&id).expect("one").message, *m);
}

#[test]
fn edits_drop_everything_after_the_edited_position() {
    let store = Store::open_in_memory().expect("open");
    let c = store.create_conversation("t", "m").expect("create");
    let ids: Vec<String> = ["q1", "a1", "q2", "a2"]
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let role = if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            store
                .add_message(&c.id, role, text, MessageStatus::Complete, None)
                .expect("add")
        })
        .collect();
    let at = store.message(&ids[2]).expect("q2");
    assert_eq!((at.conversation_id.as_str(), at.seq), (c.id.as_str(), 3));
    assert_eq!(
        store.delete_messages_from(&c.id, at.seq + 1).expect("drop"),
        1
    );
    store
        .save_partial(&ids[2], "q2, edited", None)
        .expect("edit");
    let texts: Vec<String> = store
        .conversation(&c.id)
        .expect("read")
        .messages
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["q1", "a1", "q2, edited"]);
    // The search index follows: the dropped answer is no longer found.
    assert!(store.search("a2", 10).expect("search").is_empty());
    assert!(matches!(
        store.message(&ids[3]),
        Err(StoreError::MessageNotFound(_))
    ));
    // A new message after a drop takes the next free position.
    store
        .add_message(&c.id, Role::Assistant, "a2'", MessageStatus::Complete, None)
        .expect("add");
    assert_eq!(store.conversation(&c.id).expect("read").messages.len(), 4);
}

#[test]
fn unknown_ids_are_errors_not_panics() {
    let store = Store::open_in_memory().expect("open");
    assert!(matches!(
        store.conversation("nope"),
        Err(StoreError::ConversationNotFound(_))
    ));
    assert!(matches!(
        store.add_message("nope", Role::User, "x", MessageStatus::Complete, None),
        Err(StoreError::ConversationNotFound(_))
    ));
    assert!(matches!(
        store.save_partial("nope", "x", None),
        Err(StoreError::MessageNotFound(_))
    ));
}

#[test]
fn newest_conversation_is_listed_first() {
    let store = Store::open_in_memory().expect("open");
    let a = store.create_conversation("a", "m").expect("a");
    let b = store.create_conversation("b", "m").expect("b");
    let list = store.list_conversations().expect("list");
    assert_eq!(list[0].id, b.id);
    store
        .add_message(&a.id, Role::User, "x", MessageStatus::Complete, None)
        .expect("touch");
    std::thread::sleep(std::time::Duration::from_millis(5));
    store
        .add_message(&a.id, Role::User, "y", MessageStatus::Complete, None)
        .expect("touch");
    assert_eq!(store.list_conversations().expect("list")[0].id, a.id);
}

#[test]
fn titles_are_short_first_lines() {
    assert_eq!(title_from("\n  Hello there \nsecond"), "Hello there");
    let long = "word ".repeat(30);
    let title = title_from(&long);
    assert!(title.ends_with('…'));
    assert!(title.chars().count() <= 61);
    assert_eq!(title_from("財報".repeat(40).as_str()).chars().count(), 61);
}

#[test]
fn search_finds_english_and_chinese_and_skips_deleted() {
    let store = Store::open_in_memory().expect("open");
    let a = store.create_conversation("Budget", "m").expect("a");
    let b = store.create_conversation("財報", "m").expect("b");
    store
        .add_message(
            &a.id,
            Role::User,
            "What is the quarterly revenue?",
            MessageStatus::Complete,
            None,
        )
        .expect("msg");
    let answer = store
        .add_message(&b.id, Role::Assistant, "", MessageStatus::Streaming, None)
        .expect("msg");
    store
        .save_partial(&answer, "今年的營業收入成長了百分之十二", None)
        .expect("partial");
    let hits = store.search("revenue", 10).expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].conversation_id, a.id);
    assert!(hits[0].snippet.contains("[revenue]"), "{}", hits[0].snippet);
    let zh = store.search("營業收入", 10).expect("search");
    assert_eq!(
        zh.len(),
        1,
        "trigram search works without word segmentation"
    );
    assert_eq!(zh[0].role, Role::Assistant);
    assert_eq!(
        store.search("收入", 10).expect("short").len(),
        1,
        "short queries fall back to a scan"
    );
    assert!(store
        .search("nothing like this", 10)
        .expect("search")
        .is_empty());
    assert!(
        store.search("\"quoted", 10).is_ok(),
        "quotes cannot break the query"
    );

    store.delete_conversation(&a.id).expect("delete");
    assert!(store.search("revenue", 10).expect("search").is_empty());
    assert_eq!(store.list_conversations().expect("list").len(), 1);
    store.restore_conversation(&a.id).expect("undo");
    assert_eq!(store.search("revenue", 10).expect("search").len(), 1);
}

#[test]
fn pinned_first_renamed_and_deleted_for_good_at_the_next_start() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, b);
    {
        let store = Store::open_in(dir.path()).expect("open");
        a = store.create_conversation("a", "m").expect("a").id;
        std::thread::sleep(std::time::Duration::from_millis(5));
        b = store.create_conversation("b", "m").expect("b").id;
        store.set_pinned(&a, true).expect("pin");
        store.rename_conversation(&a, "Renamed").expect("rename");
        let list = store.list_conversations().expect("list");
        assert_eq!(
            (list[0].id.as_str(), list[0].title.as_str(), list[0].pinned),
            (a.as_str(), "Renamed", true)
        );
        store.delete_conversation(&b).expect("delete");
    }
    let store = Store::open_in(dir.path()).expect("reopen");
    assert!(matches!(
        store.restore_conversation(&b),
        Err(StoreError::ConversationNotFound(_))
    ));
    assert_eq!(store.list_conversations().expect("list").len(), 1);
}

#[test]
fn search_lists_the_newest_matches_first() {
    let store = Store::open_in_memory().expect("open");
    let c = store.create_conversation("t", "m").expect("create");
    for text in ["older cash flow note", "unrelated", "newer cash flow note"] {
        store
            .add_message(&c.id, Role::User, text, MessageStatus::Complete, None)
            .expect("add");
    }
    let hits = store.search("cash flow", 10).expect("search");
    assert_eq!(hits.len(), 2);
    assert!(hits[0].snippet.contains("newer") && hits[1].snippet.contains("older"));
    assert_eq!(store.search("cash flow", 1).expect("search").len(), 1);
}

fn call(at: &str, model: &str, outcome: &str, tokens: (u32, u32), cost: f64) -> ActivityEntry {
    ActivityEntry {
        id: None,
        at: at.into(),
        connection_id: "c1".into(),
        connection_name: "Work account".into(),
        account: Some("123456789012".into()),
        region: "us-east-1".into(),
        model_id: model.into(),
        invocation_id: format!("global.{model}"),
        api: "converse".into(),
        endpoint: "global".into(),
        input_tokens: tokens.0,
        output_tokens: tokens.1,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cost_usd: Some(cost),
        first_token_ms: Some(300),
        duration_ms: 1200,
        outcome: outcome.into(),
        error_kind: (outcome == "failed").then(|| "throttled".into()),
        excerpt: None,
    }
}

#[test]
fn retention_keeps_exactly_the_last_days() {
    let store = Store::open_in_memory().expect("open");
    // "Now" is 2026-11-26T12:00:00Z; entries 29, 30 and 31 days old, to the second.
    for at in [
        "2026-10-28T12:00:00Z",
        "2026-10-27T12:00:00Z",
        "2026-10-26T12:00:00Z",
    ] {
        store
            .record_activity(&call(at, "m", "complete", (1, 1), 0.0))
            .expect("record");
    }
    // Keeping 30 days: the cutoff is now − 30 days; the 31-day-old entry goes, 30 stays.
    let removed = store.prune_activity("2026-10-27T12:00:00Z").expect("prune");
    assert_eq!(removed, 1);
    let left: Vec<String> = store
        .activity(&ActivityFilter::default(), 10, 0)
        .expect("list")
        .into_iter()
        .map(|e| e.at)
        .collect();
    assert_eq!(left, ["2026-10-28T12:00:00Z", "2026-10-27T12:00:00Z"]);
}

#[test]
fn totals_buckets_filters_and_csv_match_a_known_set_of_calls() {
    let store = Store::open_in_memory().expect("open");
    let sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
    for entry in [
        call(
            "2026-11-24T09:00:00Z",
            sonnet,
            "complete",
            (1000, 200),
            0.006,
        ),
        call("2026-11-24T10:00:00Z", haiku, "complete", (500, 100), 0.001),
        call("2026-11-25T09:00:00Z", sonnet, "failed", (0, 0), 0.0),
        call(
            "2026-11-25T11:00:00Z",
            sonnet,
            "complete",
            (2000, 400),
            0.012,
        ),
    ] {
        store.record_activity(&entry).expect("record");
    }
    let all = store
        .activity_summary(&ActivityFilter::default())
        .expect("summary");
    assert_eq!((all.totals.calls, all.totals.failed), (4, 1));
    assert_eq!(
        (all.totals.input_tokens, all.totals.output_tokens),
        (3500.0, 700.0)
    );
    assert!((all.totals.cost_usd - 0.019).abs() < 1e-9);
    let days: Vec<(&str, u32)> = all
        .per_day
        .iter()
        .map(|b| (b.key.as_str(), b.calls))
        .collect();
    assert_eq!(days, [("2026-11-24", 2), ("2026-11-25", 2)]);
    let models: Vec<(&str, f64)> = all
        .per_model
        .iter()
        .map(|b| (b.key.as_str(), b.input_tokens))
        .collect();
    assert_eq!(models, [(haiku, 500.0), (sonnet, 3000.0)]);
    assert_eq!(all.models, [haiku, sonnet]);
    assert_eq!(
        all.connections,
        [("c1".to_owned(), "Work account".to_owned())]
    );

    let day_two = ActivityFilter {
        from: Some("2026-11-25".into()),
        to: Some("2026-11-26".into()),
        ..ActivityFilter::default()
    };
    assert_eq!(
        store
            .activity_summary(&day_two)
            .expect("summary")
            .totals
            .calls,
        2
    );
    let failed = ActivityFilter {
        outcome: Some("failed".into()),
        ..ActivityFilter::default()
    };
    assert_eq!(store.activity(&failed, 10, 0).expect("list").len(), 1);

    let csv = store.activity_csv(&ActivityFilter::default()).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("time,connection,account,region,model,"));
    assert_eq!(
        lines[1],
        format!("2026-11-24T09:00:00Z,Work account,123456789012,us-east-1,{sonnet},global.{sonnet},converse,global,1000,200,0,0,0.006000,300,1200,complete,,")
    );
    assert!(lines[3].ends_with(",failed,throttled,"));
}

#[test]
fn csv_fields_cannot_become_formulas_or_break_rows() {
    let store = Store::open_in_memory().expect("open");
    let mut entry = call("2026-11-24T09:00:00Z", "m", "complete", (1, 1), 0.0);
    entry.connection_name = "=HYPERLINK(\"x\"),\nnext".into();
    store.record_activity(&entry).expect("record");
    let csv = store.activity_csv(&ActivityFilter::default()).expect("csv");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\"),\nnext\""), "{csv}");
}

#[test]
fn the_day_aggregate_uses_the_time_index() {
    let store = Store::open_in_memory().expect("open");
    let plan = store
        .activity_plan(&ActivityFilter {
            from: Some("2026-10-27".into()),
            ..ActivityFilter::default()
        })
        .expect("plan")
        .join(" | ");
    assert!(
        plan.contains("USING COVERING INDEX activity_by_time"),
        "{plan}"
    );
}
