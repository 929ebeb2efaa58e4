//! Watching `$(LOG)` for address files: a child is ready when its
//! `.<daemon>_address` file appears (it is written by rename, once the
//! daemon answers requests). A small thread blocks on inotify and turns
//! each new address file into a `Ready` event.

use std::path::PathBuf;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use tokio::sync::mpsc;

use super::{daemon_of_address_file, Event};

/// Start watching `dir`; each address file that appears sends a `Ready`.
pub(super) fn spawn(dir: PathBuf, events: mpsc::UnboundedSender<Event>) -> anyhow::Result<()> {
    let ino = Inotify::init(InitFlags::IN_CLOEXEC).map_err(|e| anyhow::anyhow!("cannot watch {}: inotify: {e}", dir.display()))?;
    ino.add_watch(&dir, AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_CLOSE_WRITE)
        .map_err(|e| anyhow::anyhow!("cannot watch {}: {e}", dir.display()))?;
    std::thread::Builder::new().name("watch-log".into()).spawn(move || loop {
        match ino.read_events() {
            Ok(evs) => {
                for ev in evs {
                    let Some(name) = ev.name.as_ref().and_then(|n| n.to_str()) else { continue };
                    if let Some(d) = daemon_of_address_file(name) {
                        if events.send(Event::Ready { name: d.subsystem().to_string() }).is_err() {
                            return;
                        }
                    }
                }
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => {
                tracing::error!("reading inotify events for {}: {e}", dir.display());
                return;
            }
        }
    })?;
    Ok(())
}
