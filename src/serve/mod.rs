//! `kampung serve`: a live village in the browser, for trainers.
//!
//! The model runs here, in Rust; a local web server sends one page (every asset
//! embedded, no internet needed) and streams the two villages to it over a
//! WebSocket. The pieces:
//! - [`bridge`]: everything taken from the rest of the crate, in one place;
//! - [`settings`]: what the page may change on the right-hand village, checked;
//! - [`session`]: the two runs played step by step, their events in words;
//! - [`layout`]: where each household is drawn;
//! - [`lessons`]: the training lessons and their scripts;
//! - [`protocol`]: the messages, checked on the way in and packed on the way out;
//! - [`hub`]: the thread that plays the one village all pages watch;
//! - [`server`]: the routes and the sockets; [`assets`]: the page.
//!
//! Nothing else in the crate uses this module.

pub mod assets;
pub mod bridge;
pub mod hub;
pub mod layout;
pub mod lessons;
pub mod protocol;
pub mod server;
pub mod session;
pub mod settings;

use bridge::{Error, Result};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

/// The scenario `serve` plays when given none.
pub const DEFAULT_SCENARIO: &str = "scenarios/village.toml";

/// Where the lessons are looked for.
pub const DEFAULT_LESSONS: &str = "scenarios/training";

/// The port used when none is given.
pub const DEFAULT_PORT: u16 = 8765;

/// Options of `kampung serve`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
The page shows two villages side by side: the same village (same households, ties and \
shocks) on the left as the scenario plans it, and on the right with the settings the \
page changes (stages skipped or rushed, facilitation, targeting, visits per step, the \
organizer's exit, systemic bias, elite capture). Lessons come from scenarios/training/.

Examples:
  kampung serve                                   # scenarios/village.toml on port 8765
  kampung serve --open                            # and open it in the default browser
  kampung serve scenarios/training/05-skip-organization.toml
  kampung serve --households 10000 --port 0       # a large village, any free port
  kampung serve --host 0.0.0.0                    # reachable from other machines")]
pub struct ServeArgs {
    /// Scenario file [default: scenarios/village.toml].
    pub scenario: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1, this machine only]. Give 0.0.0.0 to
    /// let other machines in the room connect.
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Households in the village, replacing the scenario's number.
    #[arg(long)]
    pub households: Option<usize>,
    /// Base seed [default: the scenario's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder of lesson files.
    #[arg(long, default_value = DEFAULT_LESSONS)]
    pub lessons: PathBuf,
    /// Do not start playing when the first page connects.
    #[arg(long)]
    pub paused: bool,
}

/// Runs `kampung serve` until the process is stopped. A problem of its own (a port
/// in use, a bad `--households`) is printed as `error: ...` and exits with 2.
pub fn run(a: ServeArgs) -> Result<ExitCode> {
    match serve(a) {
        Err(Error::Run(m)) => {
            note(&format!("error: {m}"));
            Ok(ExitCode::from(2))
        }
        other => other,
    }
}

fn serve(a: ServeArgs) -> Result<ExitCode> {
    let file = a
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIO));
    let scenario = session::load(&file, a.households)?;
    let setup = session::Setup::new(scenario, a.seed)?;
    let lesson = (file.parent() == Some(a.lessons.as_path()))
        .then(|| file.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .flatten();
    let host = a.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let addr = SocketAddr::new(host, a.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        Error::Run(format!(
            "cannot listen on {addr}: {e}{}",
            if e.kind() == std::io::ErrorKind::AddrInUse {
                " (another program uses that port: give --port 0 for any free one)"
            } else {
                ""
            }
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Run(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::Run(format!("cannot listen on {addr}: {e}")))?;
    let shown = if local.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local.port())
    } else {
        local
    };
    let url = format!("http://{shown}/");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Run(format!("cannot start the web server: {e}")))?;
    let opts = hub::Options {
        lessons: a.lessons.clone(),
        default_file: file.clone(),
        households: a.households,
        autoplay: !a.paused,
        lesson,
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let hub = hub::Hub::start(setup, opts);
        // Whoever reads standard output may have gone (a closed pipe): not an error.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "kampung serve: {} on {url}", file.display());
        let _ = writeln!(out, "open {url} in a browser; Ctrl-C stops the server");
        if !local.ip().is_loopback() {
            let _ = writeln!(
                out,
                "listening on {local}: other machines can connect to this one's address"
            );
        }
        let _ = out.flush();
        drop(out);
        if a.open {
            open_browser(&url);
        }
        axum::serve(listener, server::router(hub)).await
    });
    result
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| Error::Run(format!("the web server stopped: {e}")))
}

/// Writes a line to standard error, if anyone reads it (never panics).
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Opens `url` in the default browser, saying so when it cannot.
fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let spawned = std::process::Command::new(cmd.0)
        .args(&cmd.1)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        note(&format!(
            "could not open a browser ({}: {e}); open {url} yourself",
            cmd.0
        ));
    }
}
