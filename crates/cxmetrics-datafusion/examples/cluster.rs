//! cxmetrics' functions on a Ballista cluster of three processes: a
//! scheduler and two executors on 127.0.0.1, each with the functions
//! registered, built from this one program.
//!
//! ```sh
//! cargo run --release -p cxmetrics-datafusion --example cluster -- --check
//! ```
//!
//! `--check` writes the bundled sample as partitioned Parquet files,
//! starts the scheduler and the executors as child processes, runs every
//! cookbook query on the cluster and in this process, prints how many
//! give the same rows (`N queries, N match`), and stops the processes it
//! started, on failure too. Exit status 0 when all match, 1 when some
//! differ, 2 on an error.
//!
//! The roles it starts are also commands of their own, to run a cluster
//! by hand: `cluster scheduler --port P` and `cluster executor
//! --scheduler-port P --port Q --grpc-port R`.

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionState;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

const HOST: &str = "127.0.0.1";

/// A session state of `config` with cxmetrics' functions.
fn state_with_functions(config: SessionConfig) -> SessionState {
    let udafs = cxmetrics_datafusion::Config::default()
        .udafs()
        .into_iter()
        .map(Arc::new)
        .collect::<Vec<_>>();
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    for udaf in udafs {
        // Registering replaces nothing but a function of the same name.
        let _ = datafusion::execution::FunctionRegistry::register_udaf(&mut state, udaf);
    }
    state
}

fn error(text: String) -> DataFusionError {
    DataFusionError::Execution(text)
}

/// The value following `name` among `args`, as a port.
fn port(args: &[String], name: &str) -> Result<u16> {
    let at = args
        .iter()
        .position(|a| a == name)
        .ok_or_else(|| error(format!("{name} is needed")))?;
    args.get(at + 1)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| error(format!("{name} needs a port number")))
}

async fn scheduler(port: u16) -> Result<()> {
    let config = SchedulerConfig {
        bind_host: HOST.into(),
        external_host: HOST.into(),
        bind_port: port,
        ..SchedulerConfig::default()
    }
    .with_override_session_builder(Arc::new(|config| Ok(state_with_functions(config))));
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| error(e.to_string()))?;
    let address = format!("{HOST}:{port}")
        .parse()
        .map_err(|e| error(format!("{e}")))?;
    start_server(cluster, address, Arc::new(config))
        .await
        .map_err(|e| error(e.to_string()))
}

async fn executor(scheduler_port: u16, port: u16, grpc_port: u16) -> Result<()> {
    let state = state_with_functions(SessionConfig::new_with_ballista());
    let config = ExecutorProcessConfig {
        bind_host: HOST.into(),
        external_host: Some(HOST.into()),
        port,
        grpc_port,
        scheduler_host: HOST.into(),
        scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: 1,
        override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(&state))),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| error(e.to_string()))
}

/// The processes started, stopped when dropped: on success, on an error
/// and on a panic alike.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Processes {
    fn start(&mut self, args: &[String], log: &Path) -> Result<()> {
        let log = std::fs::File::create(log)?;
        let child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.0.push(child);
        Ok(())
    }

    /// Waits until `port` accepts connections, failing if a process has
    /// ended meanwhile.
    fn wait_for(&mut self, port: u16, what: &str) -> Result<()> {
        let start = Instant::now();
        while TcpStream::connect((HOST, port)).is_err() {
            for child in &mut self.0 {
                if let Some(status) = child.try_wait()? {
                    return Err(error(format!("a process of the cluster ended: {status}")));
                }
            }
            if start.elapsed() > Duration::from_secs(60) {
                return Err(error(format!(
                    "the {what} did not listen on port {port} within 60 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

/// Ports free at the moment.
fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind((HOST, 0)))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}

async fn register_tables(ctx: &SessionContext, data: &Path) -> Result<()> {
    for table in ["surveys", "events"] {
        cxmetrics_datafusion::register_files(ctx, table, &[data.join(table)]).await?;
    }
    Ok(())
}

/// Starts the cluster, runs the cookbook on it and in this process, and
/// returns how many queries give the same rows.
async fn check() -> Result<(usize, usize)> {
    let work = std::env::temp_dir().join(format!("cxmetrics-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let data = work.join("data");
    support::sample_as_parquet(&sample, &data, 4).await?;

    let ports = free_ports(5)?;
    let mut processes = Processes(Vec::new());
    let outcome = async {
        processes.start(
            &["scheduler".into(), "--port".into(), ports[0].to_string()],
            &work.join("scheduler.log"),
        )?;
        processes.wait_for(ports[0], "scheduler")?;
        for (i, pair) in ports[1..].chunks(2).enumerate() {
            processes.start(
                &[
                    "executor".into(),
                    "--scheduler-port".into(),
                    ports[0].to_string(),
                    "--port".into(),
                    pair[0].to_string(),
                    "--grpc-port".into(),
                    pair[1].to_string(),
                ],
                &work.join(format!("executor-{i}.log")),
            )?;
        }
        for pair in ports[1..].chunks(2) {
            processes.wait_for(pair[0], "executor")?;
        }

        let mut config = SessionConfig::new_with_ballista();
        // Ballista 55 cannot read back the plans of struct fields moved
        // towards the scan.
        config
            .options_mut()
            .optimizer
            .enable_leaf_expression_pushdown = false;
        let remote_state = state_with_functions(config);
        let remote =
            SessionContext::remote_with_state(&format!("df://{HOST}:{}", ports[0]), remote_state)
                .await?;
        // The client's state, made for Ballista, has its default
        // functions only: ours are registered again.
        cxmetrics_datafusion::register(&remote);
        let local = SessionContext::new();
        cxmetrics_datafusion::register(&local);
        register_tables(&remote, &data).await?;
        register_tables(&local, &data).await?;

        let mut matched = 0;
        for (name, sql) in cxmetrics_datafusion::cookbook::ALL {
            let on_cluster = support::rows(&remote, sql).await?;
            let in_process = support::rows(&local, sql).await?;
            if on_cluster == in_process && !in_process.is_empty() {
                matched += 1;
            } else {
                eprintln!(
                    "{name}: the cluster gives {} rows, one process {} rows, not the same",
                    on_cluster.len(),
                    in_process.len()
                );
            }
        }
        Ok::<_, DataFusionError>((cxmetrics_datafusion::cookbook::ALL.len(), matched))
    }
    .await;
    drop(processes);
    if outcome.is_ok() {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        eprintln!("the processes' logs are in {}", work.display());
    }
    outcome
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cluster: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(async {
        match args.first().map(String::as_str) {
            Some("scheduler") => scheduler(port(&args, "--port")?).await.map(|()| None),
            Some("executor") => executor(
                port(&args, "--scheduler-port")?,
                port(&args, "--port")?,
                port(&args, "--grpc-port")?,
            )
            .await
            .map(|()| None),
            Some("--check") => check().await.map(Some),
            _ => Err(error(
                "usage: cluster --check | scheduler --port P | executor --scheduler-port P --port Q --grpc-port R"
                    .into(),
            )),
        }
    });
    match outcome {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some((queries, matched))) => {
            println!("{queries} queries, {matched} match");
            if matched == queries {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("cluster: {e}");
            ExitCode::from(2)
        }
    }
}
