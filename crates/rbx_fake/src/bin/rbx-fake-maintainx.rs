//! `rbx-fake-maintainx`: the fake MaintainX API as a process, for tests and benchmarks that run
//! rbx as a binary. Prints `listening on http://127.0.0.1:PORT` as its first line, then serves
//! until killed.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use rbx_fake::{Config, DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET, FakeMaintainx};

/// A fake MaintainX API on 127.0.0.1 (see docs/fake-maintainx.md).
#[derive(Debug, Parser)]
#[command(name = "rbx-fake-maintainx", version)]
struct Args {
    /// Port to listen on (0: any free port; the first line of output says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// API key to accept in `Authorization: Bearer <key>`.
    #[arg(long, default_value = DEFAULT_API_KEY)]
    api_key: String,
    /// Secret webhook deliveries to `POST /webhooks/maintainx` must be signed with.
    #[arg(long, default_value = DEFAULT_WEBHOOK_SECRET)]
    webhook_secret: String,
    /// Number of seeded work orders.
    #[arg(long, default_value_t = Config::default().work_orders)]
    work_orders: usize,
    /// Seed of the generated dataset.
    #[arg(long, default_value_t = Config::default().seed)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config::default()
        .port(args.port)
        .api_key(args.api_key)
        .webhook_secret(args.webhook_secret)
        .work_orders(args.work_orders)
        .seed(args.seed);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rbx-fake-maintainx: failed to start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let running = match FakeMaintainx::start(config).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("rbx-fake-maintainx: {error}");
                return ExitCode::FAILURE;
            }
        };
        let mut stdout = std::io::stdout().lock();
        // Whoever started us waits for this line to know the port: it must go out now.
        if writeln!(stdout, "listening on {}", running.root_url()).and_then(|()| stdout.flush()).is_err() {
            return ExitCode::FAILURE;
        }
        drop(stdout);
        std::future::pending::<()>().await;
        drop(running);
        ExitCode::SUCCESS
    })
}
