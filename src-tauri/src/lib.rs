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
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let data_dir = state::data_dir(app.path().app_data_dir().ok());
            let state = tauri::async_runtime::block_on(state::AppState::start(data_dir));
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        // Typically no display (e.g. started over SSH without X11/Wayland): say so plainly.
        eprintln!("Cairn could not start its window: {error}. Cairn needs a graphical desktop session (DISPLAY or WAYLAND_DISPLAY).");
        std::process::exit(1);
    }
}

/// GTK aborts with a panic when there is no display; say it plainly instead.
fn missing_display() -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !set("DISPLAY") && !set("WAYLAND_DISPLAY")).then_some(
        "Cairn cannot open its window: no graphical display was found (DISPLAY and WAYLAND_DISPLAY are not set). Start Cairn from a desktop session, or under Xvfb for headless use.",
    )
}
