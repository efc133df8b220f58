//! `cairn-sim --port P --config F`: serve the simulator until interrupted.

use std::net::SocketAddr;
use std::process::ExitCode;

use cairn_sim::{SimConfig, Simulator};

const USAGE: &str = "usage: cairn-sim [--port PORT] [--config FILE.json]";

fn parse_args() -> Result<(u16, Option<String>), String> {
    let mut port = 0u16;
    let mut config = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port: '{value}' is not a port number"))?;
            }
            "--config" => config = Some(args.next().ok_or("--config needs a file")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    Ok((port, config))
}

fn load_config(path: Option<&str>) -> Result<SimConfig, String> {
    let Some(path) = path else {
        return Ok(SimConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    SimConfig::from_json(&text).map_err(|e| format!("{path} is not a valid configuration: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CAIRN_SIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let (port, config_path) = match parse_args() {
        Ok(v) => v,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let config = match load_config(config_path.as_deref()) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("cairn-sim: {message}");
            return ExitCode::from(2);
        }
    };
    let sim = match Simulator::start(config, SocketAddr::from(([127, 0, 0, 1], port))).await {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("cairn-sim: {error} (is another program using port {port}?)");
            return ExitCode::from(2);
        }
    };
    println!("cairn-sim listening on {}", sim.url());
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitCode::SUCCESS
}
