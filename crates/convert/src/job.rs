//! The converter: a bounded queue of jobs, a concurrency limit, and each job's life and cleanup.
//!
//! For: [`Converter::submit`] → [`JobHandle`] of [`JobEvent`]s; choosing the stages for a kind;
//! making sure a job's directory and cgroup are gone however it ends (done, failed, timed out,
//! cancelled by dropping its handle). Not for: what a stage does (see the stage modules).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::{mpsc, Semaphore};

use crate::detect::{self, DocumentKind, Family};
use crate::pdf::{self, Page, Renderer};
use crate::pptx_steps::{self, Expansion, PageSource};
use crate::sandbox::{JobCgroup, MemoryLimit, Outside, Sandbox, Tools};
use crate::{office, picture, ConvertError, Limits};

/// What the server configures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConverterConfig {
    /// Each job gets a fresh directory here, removed when it ends. Local disk, not tmpfs.
    pub work_root: PathBuf,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub tools: Tools,
}

impl ConverterConfig {
    /// Default limits and tools, jobs under `work_root`.
    pub fn new(work_root: impl Into<PathBuf>) -> Self {
        ConverterConfig {
            work_root: work_root.into(),
            limits: Limits::default(),
            tools: Tools::default(),
        }
    }
}

/// Progress of one job, in order: `Queued`, `Converting`, `Rendering`, `PageReady`… then
/// exactly one of `Done` or `Failed` (both sent only after the job's files are removed).
#[derive(Debug)]
pub enum JobEvent {
    /// Accepted; waiting for a free slot.
    Queued,
    /// Converting to PDF (no page count known yet).
    Converting,
    /// The page count is known; that many `PageReady` follow.
    Rendering { pages: u32 },
    /// One page, in order, as soon as its images exist.
    PageReady(Page),
    /// Every page was delivered.
    Done { pages: u32 },
    /// The job stopped; nothing more follows.
    Failed(ConvertError),
}

/// The events of one submitted job. Dropping it cancels the job.
#[derive(Debug)]
pub struct JobHandle {
    kind: DocumentKind,
    events: mpsc::Receiver<JobEvent>,
}

impl JobHandle {
    /// The next event; `None` after `Done` or `Failed`.
    pub async fn next(&mut self) -> Option<JobEvent> {
        self.events.recv().await
    }

    /// What the upload turned out to be.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }
}

/// Runs conversion jobs; cheap to clone. Must be started inside a Tokio runtime.
#[derive(Clone)]
pub struct Converter {
    shared: Arc<Shared>,
    queue: mpsc::Sender<Job>,
}

struct Shared {
    config: ConverterConfig,
    memory: MemoryLimit,
    outside: Outside,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.memory.release();
    }
}

struct Job {
    kind: DocumentKind,
    dir: tempfile::TempDir,
    input_name: String,
    events: mpsc::Sender<JobEvent>,
}

/// Events a job may have in flight before it waits for its reader: bounds the page images
/// (a few hundred KB each) held in memory for a slow consumer.
const EVENT_BUFFER: usize = 8;

impl Converter {
    /// Create the work root, choose how memory is limited, and start taking jobs.
    pub fn start(config: ConverterConfig) -> Result<Converter, ConvertError> {
        std::fs::create_dir_all(&config.work_root)
            .map_err(|e| ConvertError::internal("creating the work root", e))?;
        let memory = MemoryLimit::probe();
        let outside = Outside::probe(&config.tools);
        let slots = Arc::new(Semaphore::new(config.limits.concurrency.max(1)));
        let (queue, mut waiting) = mpsc::channel::<Job>(config.limits.queue_capacity.max(1));
        let shared = Arc::new(Shared {
            config,
            memory,
            outside,
        });
        let dispatcher_shared = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Some(job) = waiting.recv().await {
                let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                    break;
                };
                let shared = Arc::clone(&dispatcher_shared);
                tokio::spawn(async move {
                    run(job, &shared).await;
                    drop(slot);
                });
            }
        });
        Ok(Converter { shared, queue })
    }

    /// How job memory is limited on this machine (for the startup log).
    pub fn memory_limit(&self) -> &MemoryLimit {
        &self.shared.memory
    }

    pub fn limits(&self) -> &Limits {
        &self.shared.config.limits
    }

    /// Check `input` (uploaded as `declared_name`) and queue its conversion.
    ///
    /// Errors found from the bytes alone (type, size, zip bomb, encryption of Office files,
    /// full queue) are returned here at once; later ones arrive as [`JobEvent::Failed`]. The
    /// file is copied into the job, so the caller may delete it as soon as this returns.
    pub async fn submit(
        &self,
        input: &Path,
        declared_name: &str,
    ) -> Result<JobHandle, ConvertError> {
        let shared = Arc::clone(&self.shared);
        let input = input.to_owned();
        let name = declared_name.to_owned();
        let (kind, dir, input_name) =
            tokio::task::spawn_blocking(move || prepare(&shared.config, &input, &name))
                .await
                .map_err(|e| ConvertError::internal("preparing job", e))??;
        let (events, receiver) = mpsc::channel(EVENT_BUFFER);
        // The channel is new and empty, so there is room for this first event.
        let _ = events.try_send(JobEvent::Queued);
        let job = Job {
            kind,
            dir,
            input_name,
            events,
        };
        self.queue.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => ConvertError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => ConvertError::Stopped,
        })?;
        Ok(JobHandle {
            kind,
            events: receiver,
        })
    }
}

/// Detect the type and copy the upload into a fresh job directory (blocking).
fn prepare(
    config: &ConverterConfig,
    input: &Path,
    declared_name: &str,
) -> Result<(DocumentKind, tempfile::TempDir, String), ConvertError> {
    let mut file =
        std::fs::File::open(input).map_err(|e| ConvertError::internal("opening upload", e))?;
    let len = file
        .metadata()
        .map_err(|e| ConvertError::internal("reading upload size", e))?
        .len();
    let kind = detect::detect(declared_name, &mut file, len, &config.limits)?;
    let dir = tempfile::Builder::new()
        .prefix("job-")
        .tempdir_in(&config.work_root)
        .map_err(|e| ConvertError::internal("creating job directory", e))?;
    // The sandbox's uid must be able to enter the directory (tempfile makes it 0700): it
    // maps our uid to its own, or, when we are root, the directory is handed over to it.
    let input_name = format!("input.{}", kind.extension());
    std::fs::copy(input, dir.path().join(&input_name))
        .map_err(|e| ConvertError::internal("copying upload", e))?;
    Ok((kind, dir, input_name))
}

/// Run one job to its end, then clean up, then report the outcome.
async fn run(job: Job, shared: &Shared) {
    let Job {
        kind,
        dir,
        input_name,
        events,
    } = job;
    if events.is_closed() {
        // Cancelled while queued; dropping `dir` removes it.
        return;
    }
    let limits = &shared.config.limits;
    let cgroup = match &shared.memory {
        MemoryLimit::Cgroup(parent) => {
            let name = dir
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "job".into());
            match JobCgroup::create(parent, &name, limits.memory_bytes) {
                Ok(cgroup) => Some(cgroup),
                Err(detail) => {
                    let _ = events
                        .send(JobEvent::Failed(ConvertError::Sandbox { detail }))
                        .await;
                    return;
                }
            }
        }
        MemoryLimit::AddressSpace => None,
    };
    if let Err(e) = shared.outside.hand_over(dir.path()) {
        let error = ConvertError::internal("giving the job directory to the sandbox user", e);
        let _ = events.send(JobEvent::Failed(error)).await;
        return;
    }
    let sandbox = Sandbox {
        job_dir: dir.path().to_owned(),
        tools: shared.config.tools.clone(),
        cgroup,
        memory_bytes: limits.memory_bytes,
        outside: shared.outside,
    };
    let outcome = tokio::select! {
        outcome = pipeline(&sandbox, kind, &input_name, limits, &events) => Some(outcome),
        // The handle was dropped: stop. Dropping the pipeline kills its running process.
        _ = events.closed() => None,
    };
    if let Some(cgroup) = &sandbox.cgroup {
        cgroup.drain().await;
    }
    drop(sandbox);
    remove_dir(dir).await;
    let last = match outcome {
        Some(Ok(pages)) => JobEvent::Done { pages },
        Some(Err(error)) => {
            if error.is_internal() {
                tracing::error!(%error, "conversion failed");
            }
            JobEvent::Failed(error)
        }
        None => return,
    };
    let _ = events.send(last).await;
}

/// Remove a job directory; a process killed a moment ago may still be finishing a write.
async fn remove_dir(dir: tempfile::TempDir) {
    let path = dir.path().to_owned();
    if dir.close().is_ok() {
        return;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    if let Err(e) = tokio::fs::remove_dir_all(&path).await {
        tracing::error!(dir = %path.display(), error = %e, "job directory left behind");
    }
}

/// The stages for `kind`; returns the number of pages delivered.
async fn pipeline(
    sandbox: &Sandbox,
    kind: DocumentKind,
    input_name: &str,
    limits: &Limits,
    events: &mpsc::Sender<JobEvent>,
) -> Result<u32, ConvertError> {
    // A send fails only when the handle is gone, which `run` notices and handles.
    let emit = |event| async move {
        let _ = events.send(event).await;
    };
    emit(JobEvent::Converting).await;
    let input_path = sandbox.job_dir.join(input_name);

    if kind.family() == Family::Image {
        let bytes = tokio::fs::read(&input_path)
            .await
            .map_err(|e| ConvertError::internal("reading image", e))?;
        let limits_copy = limits.clone();
        let page = tokio::task::spawn_blocking(move || picture::render(&bytes, kind, &limits_copy))
            .await
            .map_err(|e| ConvertError::internal("rendering image", e))??;
        emit(JobEvent::Rendering { pages: 1 }).await;
        emit(JobEvent::PageReady(page)).await;
        return Ok(1);
    }

    let mut sources: Option<Vec<PageSource>> = None;
    let mut notes = BTreeMap::new();
    if kind == DocumentKind::Pptx {
        if let Some((s, n)) = expand_steps(&input_path, limits.max_pages).await? {
            sources = Some(s);
            notes = n;
        }
    }
    let pdf_name = if kind == DocumentKind::Pdf {
        input_name.to_owned()
    } else {
        office::to_pdf(sandbox, kind, input_name, limits.office_timeout).await?;
        format!(
            "out/{}.pdf",
            input_name.rsplit_once('.').map_or(input_name, |(s, _)| s)
        )
    };

    let pages = pdf::page_count(sandbox, &pdf_name, limits.pdf_stage_timeout).await?;
    if pages > limits.max_pages {
        return Err(ConvertError::TooManyPages {
            pages,
            max: limits.max_pages,
        });
    }
    let sources = match sources {
        Some(s) if s.len() == pages as usize => s,
        other => {
            if let Some(s) = other {
                tracing::warn!(
                    expected = s.len(),
                    pages,
                    "click-step map does not match the PDF; numbering pages"
                );
            }
            (0..pages).map(PageSource::page).collect()
        }
    };
    emit(JobEvent::Rendering { pages }).await;
    let mut renderer = Renderer::start(sandbox, &pdf_name, sources, limits)?;
    let mut delivered = 0;
    while let Some(mut page) = renderer.next_page().await? {
        delivered += 1;
        page.notes = notes.get(&page.source.slide).cloned();
        emit(JobEvent::PageReady(page)).await;
    }
    Ok(delivered)
}

/// Rewrite the deck in place with its click steps; `None` if it is converted as it is.
async fn expand_steps(
    path: &Path,
    max_pages: u32,
) -> Result<Option<(Vec<PageSource>, BTreeMap<u32, String>)>, ConvertError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| ConvertError::internal("reading deck", e))?;
    let expansion =
        tokio::task::spawn_blocking(move || pptx_steps::expand_click_steps(&bytes, max_pages))
            .await
            .map_err(|e| ConvertError::internal("expanding click steps", e))??;
    match expansion {
        Expansion::Expanded { pptx, pages, notes } => {
            tokio::fs::write(path, pptx)
                .await
                .map_err(|e| ConvertError::internal("writing expanded deck", e))?;
            Ok(Some((pages, notes)))
        }
        Expansion::Unchanged { reason } => {
            tracing::info!(%reason, "deck converted without click steps");
            Ok(None)
        }
    }
}
