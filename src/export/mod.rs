//! Backends that turn scenes into files: slides as SVG (vector, text as text, grouped by layer)
//! and PNG (the same SVG rasterised on the CPU), written atomically.

pub mod items;
pub mod raster;
pub mod slide;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::deck::{Deck, DeckError, Slide};
use crate::fs::{WriteError, write_atomic, write_atomic_with};
pub use raster::{encode_rgba_png, pixels_per_metre, svg_to_png, write_svg_as_png};
pub use slide::{RenderedSlide, render_slide};

use crate::data::Atlas;
use crate::scene::MapModel;

/// What `export` writes for each slide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Both,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Deck(#[from] DeckError),
    #[error("no slide named \"{name}\" in the deck (slides: {available})")]
    UnknownSlide { name: String, available: String },
    #[error("bad size \"{0}\": give WIDTHxHEIGHT, each 1 to 16384 pixels, e.g. 1920x1080")]
    BadSize(String),
    #[error("bad scale {0}: give a number from 0.25 to 8")]
    BadScale(f32),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("cannot rasterise the slide: {0}")]
    Raster(String),
    #[error("cannot export: {0}")]
    Unsupported(String),
}

/// Parses "1920x1080".
pub fn parse_size(text: &str) -> Result<[u32; 2], ExportError> {
    let bad = || ExportError::BadSize(text.to_owned());
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if w == 0 || h == 0 || w > 16384 || h > 16384 {
        return Err(bad());
    }
    Ok([w, h])
}

pub fn check_scale(scale: f32) -> Result<f32, ExportError> {
    if scale.is_finite() && (0.25..=8.0).contains(&scale) {
        Ok(scale)
    } else {
        Err(ExportError::BadScale(scale))
    }
}

/// Rasterises `svg` at `size_px` into a PNG at `path`, written as [`write_atomic`] writes:
/// the PNG goes to the temporary file strip by strip, never whole in memory. A failure to
/// write is a [`ExportError::Write`] naming `path`; a failure to rasterise is reported as
/// such, and either way `path` keeps its previous content.
pub fn write_png_atomic(
    path: &Path,
    svg: &str,
    size_px: [u32; 2],
    scale: f32,
) -> Result<(), ExportError> {
    let mut raster_failure = None;
    let written = write_atomic_with(path, |file| {
        let mut out = WriteFailure {
            inner: io::BufWriter::new(file),
            failure: None,
        };
        let result = write_svg_as_png(svg, size_px, scale, &mut out);
        if let Some(failure) = out.failure.take() {
            return Err(failure);
        }
        match result {
            Ok(()) => out.inner.flush(),
            Err(failure) => {
                let message = failure.to_string();
                raster_failure = Some(failure);
                Err(io::Error::other(message))
            }
        }
    });
    match raster_failure {
        Some(failure) => Err(failure),
        None => written.map_err(ExportError::from),
    }
}

/// A writer that keeps the first error of the one it wraps, so that a full disk under the PNG
/// encoder is reported as the write error it is, not as the encoder's message about it.
struct WriteFailure<W> {
    inner: W,
    failure: Option<io::Error>,
}

impl<W: Write> Write for WriteFailure<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes).inspect_err(|e| self.keep(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| self.keep(e))
    }
}

impl<W> WriteFailure<W> {
    fn keep(&mut self, error: &io::Error) {
        if self.failure.is_none() {
            self.failure = Some(io::Error::new(error.kind(), error.to_string()));
        }
    }
}

/// What to export and how.
pub struct ExportRequest<'a> {
    pub deck: &'a Deck,
    pub out_dir: &'a Path,
    pub format: Format,
    /// Overrides each slide's own size.
    pub size: Option<[u32; 2]>,
    pub scale: f32,
    /// Only this slide.
    pub slide: Option<&'a str>,
}

/// Renders the requested slides and writes them; calls `written` after each file.
pub fn export_deck(
    atlas: &Atlas,
    model: &MapModel,
    request: &ExportRequest<'_>,
    mut written: impl FnMut(&Path),
) -> Result<Vec<PathBuf>, ExportError> {
    let scale = check_scale(request.scale)?;
    let slides: Vec<&Slide> = match request.slide {
        Some(name) => vec![request.deck.slide(name).ok_or_else(|| {
            ExportError::UnknownSlide {
                name: name.to_owned(),
                available: request
                    .deck
                    .slides
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?],
        None => request.deck.slides.iter().collect(),
    };
    std::fs::create_dir_all(request.out_dir).map_err(|source| WriteError {
        path: request.out_dir.display().to_string(),
        source,
    })?;
    let mut paths = Vec::new();
    for (index, slide) in slides.iter().enumerate() {
        let size = request.size.unwrap_or(slide.size);
        let started = std::time::Instant::now();
        // Only the SVG is kept: the slide's scene goes before the rasteriser takes memory.
        let svg = render_slide(atlas, model, slide, size, scale).svg;
        log::info!(
            "slide {} laid out in {:?} ({} bytes of SVG)",
            slide.name,
            started.elapsed(),
            svg.len()
        );
        let stem = format!("{:02}-{}", index + 1, slide.name);
        if matches!(request.format, Format::Svg | Format::Both) {
            let path = request.out_dir.join(format!("{stem}.svg"));
            write_atomic(&path, svg.as_bytes())?;
            written(&path);
            paths.push(path);
        }
        if matches!(request.format, Format::Png | Format::Both) {
            let path = request.out_dir.join(format!("{stem}.png"));
            write_png_atomic(&path, &svg, size, scale)?;
            written(&path);
            paths.push(path);
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_ones_are_refused() {
        assert_eq!(parse_size("1920x1080").ok(), Some([1920, 1080]));
        assert_eq!(parse_size("3840X2160").ok(), Some([3840, 2160]));
        for bad in ["", "1920", "0x100", "axb", "20000x10", "-5x5"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert!(
            check_scale(0.0).is_err() && check_scale(f32::NAN).is_err() && check_scale(2.0).is_ok()
        );
    }

    /// A fresh, empty directory for one test; tests run in parallel, so each has its own.
    fn scratch_dir(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sinokaz-atomic-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            std::fs::create_dir_all(&dir).is_ok(),
            "cannot create {}",
            dir.display()
        );
        dir
    }

    /// The names in `dir`, sorted, so a leftover temporary file of any name shows up.
    fn names_in(dir: &Path) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            panic!("cannot list {}", dir.display());
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_fails_half_way_leaves_the_previous_file_intact_and_no_temp_file() {
        let dir = scratch_dir("half-way");
        let path = dir.join("slide.svg");
        assert!(write_atomic(&path, b"<svg>the previous slide</svg>").is_ok());

        let result = write_atomic_with(&path, |file| {
            file.write_all(b"<svg>half of the new sl")?;
            Err(io::Error::other("the renderer gave up"))
        });

        let Err(e) = result else {
            panic!("a write whose producer failed was reported as written");
        };
        let message = e.to_string();
        assert!(
            message.contains(&path.display().to_string()) && message.contains("gave up"),
            "the error names the file and the cause: {message}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("<svg>the previous slide</svg>")
        );
        assert_eq!(names_in(&dir), ["slide.svg"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    const SMALL_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><rect x="8" y="8" width="30" height="20" fill="#c04020"/></svg>"##;

    #[test]
    fn a_png_streamed_to_its_file_is_the_png_made_in_memory() {
        let dir = scratch_dir("png");
        let path = dir.join("slide.png");
        assert!(write_png_atomic(&path, SMALL_SVG, [640, 480], 1.0).is_ok());
        let in_memory = svg_to_png(SMALL_SVG, [640, 480]).ok();
        assert!(in_memory.as_ref().is_some_and(|png| png.len() > 100));
        assert_eq!(std::fs::read(&path).ok(), in_memory);
        assert_eq!(names_in(&dir), ["slide.png"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_png_that_cannot_be_drawn_leaves_the_previous_file_and_says_why() {
        let dir = scratch_dir("png-raster");
        let path = dir.join("slide.png");
        assert!(write_atomic(&path, b"the previous slide").is_ok());
        let result = write_png_atomic(&path, SMALL_SVG, [70_000, 480], 1.0);
        assert!(
            matches!(&result, Err(ExportError::Raster(m)) if m.contains("too large")),
            "{result:?}"
        );
        assert_eq!(
            std::fs::read(&path).ok().as_deref(),
            Some(&b"the previous slide"[..])
        );
        assert_eq!(names_in(&dir), ["slide.png"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A writer that takes `room` bytes and then fails as a full disk does.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"));
            }
            let taken = bytes.len().min(self.room);
            self.room -= taken;
            Ok(taken)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_under_the_png_encoder_is_kept_as_the_write_error_it_is() {
        let mut out = WriteFailure {
            inner: FullDisk { room: 200 },
            failure: None,
        };
        let result = write_svg_as_png(SMALL_SVG, [640, 480], 1.0, &mut out);
        assert!(result.is_err(), "a write to a full disk succeeded");
        let kind = out.failure.as_ref().map(io::Error::kind);
        assert_eq!(kind, Some(io::ErrorKind::StorageFull));
    }

    #[test]
    fn a_write_into_a_missing_directory_fails_naming_the_path_and_creates_nothing() {
        let dir = scratch_dir("missing-parent");
        let path = dir.join("missing").join("slide.svg");
        let mut called = false;

        let result = write_atomic_with(&path, |file| {
            called = true;
            file.write_all(b"never")
        });

        let Err(e) = result else {
            panic!("a write into a directory that does not exist was reported as written");
        };
        assert!(
            e.to_string().contains(&path.display().to_string()),
            "the error names the file: {e}"
        );
        assert!(
            !called,
            "the content is not produced when the file cannot be created"
        );
        assert!(
            names_in(&dir).is_empty(),
            "left behind: {:?}",
            names_in(&dir)
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_rename_onto_a_directory_fails_naming_the_path_and_removes_the_temp_file() {
        let dir = scratch_dir("rename");
        let path = dir.join("taken.svg");
        assert!(std::fs::create_dir(&path).is_ok());
        let mut called = false;

        let result = write_atomic_with(&path, |file| {
            called = true;
            file.write_all(b"<svg/>")
        });

        let Err(e) = result else {
            panic!("a rename onto a directory was reported as written");
        };
        assert!(
            e.to_string().contains(&path.display().to_string()),
            "the error names the file: {e}"
        );
        // The content was written, so the temp file existed: the failure was at the rename.
        assert!(called);
        assert_eq!(names_in(&dir), ["taken.svg"]);
        assert!(path.is_dir() && names_in(&path).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_successful_write_replaces_the_content_and_leaves_only_the_file() {
        let dir = scratch_dir("replace");
        let path = dir.join("deck.json");
        assert!(write_atomic(&path, b"{\"slides\": [1, 2, 3]}").is_ok());
        // Shorter than before: a write in place without truncation would leave a tail.
        assert!(write_atomic(&path, b"{}").is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("{}"));
        assert!(write_atomic_with(&path, |file| file.write_all(b"[]")).is_ok());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("[]"));
        assert_eq!(names_in(&dir), ["deck.json"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Set for the child process of the killed-write test: the file it writes to.
    const CHILD_TARGET: &str = "SINOKAZ_ATOMIC_CHILD_TARGET";
    const PREVIOUS: &str = "<svg>the previous slide</svg>";
    const PARTIAL: &str = "<svg>the first half of a new slide";

    /// Not a test on its own: the child process of
    /// `a_process_killed_while_writing_leaves_the_previous_file_intact`, which runs this test
    /// binary again with only this function selected. It writes part of a file and then waits
    /// to be killed. Run without the variable (e.g. `cargo test -- --ignored`) it does nothing.
    #[test]
    #[ignore = "the child process of a_process_killed_while_writing_leaves_the_previous_file_intact"]
    fn child_that_is_killed_while_writing() {
        let Some(target) = std::env::var_os(CHILD_TARGET) else {
            return;
        };
        let _ = write_atomic_with(Path::new(&target), |file| {
            file.write_all(PARTIAL.as_bytes())?;
            file.sync_all()?;
            // Far longer than the parent waits, so the kill always lands mid-write.
            std::thread::sleep(std::time::Duration::from_secs(120));
            file.write_all(b" and the rest</svg>")
        });
    }

    #[cfg(unix)]
    #[test]
    fn a_process_killed_while_writing_leaves_the_previous_file_intact() {
        use std::process::{Command, Stdio};
        use std::time::{Duration, Instant};

        let dir = scratch_dir("killed");
        let path = dir.join("slide.svg");
        assert!(write_atomic(&path, PREVIOUS.as_bytes()).is_ok());
        let Ok(exe) = std::env::current_exe() else {
            panic!("cannot find this test binary to run the child");
        };
        let spawned = Command::new(exe)
            .args([
                "--exact",
                "export::tests::child_that_is_killed_while_writing",
                "--ignored",
                "--test-threads=1",
            ])
            .env(CHILD_TARGET, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = spawned else {
            panic!("cannot start the child: {spawned:?}");
        };
        // The child's temp file is named after its process id; once it holds the partial
        // content the child is inside the write and asleep. (Should the partial content show
        // up in the slide itself, the write is not atomic: kill now and let the checks say so.)
        let temp = dir.join(format!(".slide.svg.{}.tmp", child.id()));
        let deadline = Instant::now() + Duration::from_secs(60);
        let holds_partial = |p: &Path| std::fs::read_to_string(p).ok().as_deref() == Some(PARTIAL);
        while !holds_partial(&temp) && !holds_partial(&path) {
            if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
                let _ = child.kill();
                let output = child.wait_with_output();
                panic!("the child never got to the middle of its write: {output:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }

        // Child::kill sends SIGKILL: no destructor, no clean-up code runs in the child.
        assert!(child.kill().is_ok());
        let Ok(status) = child.wait() else {
            panic!("cannot wait for the killed child");
        };
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9),
            "the child ended some other way than by SIGKILL: {status}"
        );

        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some(PREVIOUS)
        );
        // A killed process cannot clean up: its partial temp file stays, under a hidden name
        // that no reader mistakes for the slide.
        assert_eq!(
            std::fs::read_to_string(&temp).ok().as_deref(),
            Some(PARTIAL)
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
