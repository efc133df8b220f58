//! The Tauri shell: starts the engine, registers the commands, and nothing else.
//! All behaviour lives in the crates under `crates/`.

mod commands;
pub mod ipc;
mod state;

use tauri::Manager;
use tracing_subscriber::EnvFilter;

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("CAIRN_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    if let Some(problem) = missing_display() {
        eprintln!("{problem}");
        std::process::exit(1);
    }

    let builder = ipc::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol("cairn-doc", |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            // `cairn-doc://localhost/<sha256>`: a stored PDF for the viewer, nothing else.
            let id = request.uri().path().trim_start_matches('/').to_owned();
            tauri::async_runtime::spawn(async move {
                responder.respond(document_response(&app, &id));
            });
        })
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let data_dir = state::data_dir(app.path().app_data_dir().ok());
            let state = tauri::async_runtime::block_on(state::AppState::start(data_dir));
            app.manage(state);
            // Rolling retention: prune once a day while Cairn stays open (and at start).
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
                daily.tick().await;
                loop {
                    daily.tick().await;
                    if let Some(state) = handle.try_state::<state::AppState>() {
                        state.prune_activity();
                    }
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        // Typically no display (e.g. started over SSH without X11/Wayland): say so plainly.
        eprintln!("Cairn could not start its window: {error}. Cairn needs a graphical desktop session (DISPLAY or WAYLAND_DISPLAY).");
        std::process::exit(1);
    }
}

fn document_response(app: &tauri::AppHandle, id: &str) -> tauri::http::Response<Vec<u8>> {
    let bytes = app
        .try_state::<state::AppState>()
        .ok_or(())
        .and_then(|state| state.documents().map_err(|_| ()).cloned())
        .and_then(|documents| documents.read(id).map_err(|_| ()));
    let (status, body, kind) = match bytes {
        Ok(bytes) => (200, bytes.as_ref().clone(), "application/pdf"),
        Err(()) => (404, b"no such document".to_vec(), "text/plain"),
    };
    tauri::http::Response::builder()
        .status(status)
        .header("Content-Type", kind)
        .header("Access-Control-Allow-Origin", "*")
        .body(body)
        .unwrap_or_else(|_| tauri::http::Response::new(Vec::new()))
}

/// GTK aborts with a panic when there is no display; say it plainly instead.
fn missing_display() -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")).then_some(
        "Cairn cannot open its window: no graphical display was found (DISPLAY and WAYLAND_DISPLAY are not set). Start Cairn from a desktop session, or under Xvfb for headless use.",
    )
}
