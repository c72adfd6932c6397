//! PNG from slide SVG, on the CPU: usvg parses the SVG (and turns its text into glyph outlines
//! with the bundled fonts), vello_cpu fills and strokes the paths, png encodes the pixels.
//!
//! Slides use plain paths, colours, strokes, dashes and text only; those the walker below
//! draws with vello_cpu, several times faster than resvg for the thousands of outlines of a
//! map. Any other SVG (groups with opacity, clips, masks, filters, gradients, images) goes to
//! resvg, which draws all of SVG, so no input is ever drawn wrong, only slower.

use std::sync::Arc;

use resvg::usvg;
use vello_cpu::kurbo;

use super::ExportError;

/// The fonts slides are rendered with, loaded once per process.
fn font_database() -> Arc<usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(crate::fonts::LATIN_CYRILLIC.to_vec());
        db.load_font_data(crate::fonts::CJK.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    }))
}

/// Parses slide SVG with the bundled fonts.
pub fn parse_svg(svg: &str) -> Result<usvg::Tree, ExportError> {
    let options = usvg::Options {
        fontdb: font_database(),
        font_family: "DejaVu Sans".to_owned(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| ExportError::Raster(e.to_string()))
}

/// Rasterises slide SVG to PNG bytes on the CPU, marked as 96 dpi.
pub fn svg_to_png(svg: &str, size_px: [u32; 2]) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    write_svg_as_png(svg, size_px, 1.0, &mut bytes)?;
    Ok(bytes)
}

/// The pixel density a PNG of a slide drawn at `scale` declares: 96 dpi at 1×, as screens
/// and office programs take a picture with none, and `scale` times that above, so that a 2×
/// slide placed in a document takes the size of the 1× one.
pub fn pixels_per_metre(scale: f32) -> u32 {
    const METRES_PER_INCH: f64 = 0.0254;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "scales are checked to lie between 0.25 and 8"
    )]
    let per_metre = (96.0 * f64::from(scale) / METRES_PER_INCH).round() as u32;
    per_metre
}

/// Rasterises slide SVG on the CPU and writes it to `out` as PNG, strip by strip as the
/// strips are drawn: the whole file is never in memory at once. `scale` is the slide's
/// (see [`pixels_per_metre`]).
pub fn write_svg_as_png(
    svg: &str,
    size_px: [u32; 2],
    scale: f32,
    out: &mut dyn std::io::Write,
) -> Result<(), ExportError> {
    let started = std::time::Instant::now();
    let tree = parse_svg(svg)?;
    log::info!("SVG parsed in {:?}", started.elapsed());
    let raster = |e: png::EncodingError| ExportError::Raster(e.to_string());
    let mut encoder = png_encoder(out, size_px);
    let density = pixels_per_metre(scale);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: density,
        yppu: density,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(raster)?;
    let mut stream = writer.stream_writer().map_err(raster)?;
    // Each strip is compressed as soon as it and those above it are drawn, while the other
    // cores draw the strips below.
    rasterise_strips(&tree, size_px, STRIPS_PER_CORE, |rows| {
        std::io::Write::write_all(&mut stream, rows).map_err(|e| ExportError::Raster(e.to_string()))
    })?;
    stream.finish().map_err(raster)?;
    writer.finish().map_err(raster)?;
    log::info!("rasterised and encoded in {:?}", started.elapsed());
    Ok(())
}

/// Strips per core: more than one, so that the first strips are encoded while the last are
/// drawn; few, as an element across several strips is outlined in each. Measured on the
/// 4K overview slide with two cores, as the whole command: 1 per core 158 ms, 2 142 ms,
/// 3 120 ms, 4 128 ms, 6 134 ms (medians of 15 runs).
const STRIPS_PER_CORE: usize = 3;

/// The most pixels a strip may hold, in bytes: a strip's pixels and vello's work for it are in
/// memory while it is drawn and until it is encoded, one per core and a few more. At 3840×2160
/// the six strips were 5.5 MB each and a 4K export from the app peaked 16 MB higher. With
/// 1 MiB (68 rows) the export command's heap peaks at 21.6 MB, against 27.3 MB with 2 MiB and
/// 32.0 MB with 4 MiB, for export_4k 133 ms against 127 ms (medians of six alternating runs).
const MAX_STRIP_BYTES: usize = 1 << 20;

/// The tree drawn at `size_px` (stretched to it, as the SVG's own size says), as
/// straight-alpha RGBA.
pub fn rasterise(tree: &usvg::Tree, size_px: [u32; 2]) -> Result<Vec<u8>, ExportError> {
    let mut rgba = Vec::new();
    rasterise_strips(tree, size_px, STRIPS_PER_CORE, |rows| {
        rgba.extend_from_slice(rows);
        Ok(())
    })?;
    Ok(rgba)
}

/// Draws the tree in horizontal strips on all cores and hands each strip's straight-alpha
/// rows to `rows`, top to bottom, as soon as it is ready.
fn rasterise_strips(
    tree: &usvg::Tree,
    size_px: [u32; 2],
    strips_per_core: usize,
    mut rows: impl FnMut(&[u8]) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let strips = cores * strips_per_core;
    rasterise_in_strips(tree, size_px, cores, strips, MAX_STRIP_BYTES, &mut rows)
}

fn rasterise_in_strips(
    tree: &usvg::Tree,
    size_px: [u32; 2],
    threads: usize,
    strips: usize,
    max_strip_bytes: usize,
    rows: &mut dyn FnMut(&[u8]) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let too_large = || ExportError::Raster(format!("{}x{} is too large", size_px[0], size_px[1]));
    let width = u16::try_from(size_px[0]).map_err(|_| too_large())?;
    let height = u16::try_from(size_px[1]).map_err(|_| too_large())?;
    if width == 0 || height == 0 {
        return Err(ExportError::Raster(format!(
            "{}x{} has no pixels",
            size_px[0], size_px[1]
        )));
    }
    let to_pixels = kurbo::Affine::scale_non_uniform(
        f64::from(size_px[0]) / f64::from(tree.size().width()),
        f64::from(size_px[1]) / f64::from(tree.size().height()),
    );
    if !vello_can_draw(tree.root()) {
        let mut pixmap =
            resvg::tiny_skia::Pixmap::new(size_px[0], size_px[1]).ok_or_else(too_large)?;
        #[expect(clippy::cast_possible_truncation, reason = "scales fit in f32")]
        let transform = resvg::tiny_skia::Transform::from_scale(
            to_pixels.as_coeffs()[0] as f32,
            to_pixels.as_coeffs()[3] as f32,
        );
        resvg::render(tree, transform, &mut pixmap.as_mut());
        let mut rgba = pixmap.take();
        demultiply(&mut rgba);
        return rows(&rgba);
    }

    let strips = u16::try_from(strips.max(1)).unwrap_or(u16::MAX).min(height);
    let rows_within_budget = (max_strip_bytes / (usize::from(width) * 4)).max(1);
    let rows_per_strip = height
        .div_ceil(strips)
        .min(u16::try_from(rows_within_budget).unwrap_or(u16::MAX));
    let tops: Vec<u16> = (0..height).step_by(usize::from(rows_per_strip)).collect();
    let threads = threads.clamp(1, tops.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let encoder = StripsEncoded::new(threads * STRIPS_AHEAD_PER_THREAD);
    let (done, finished) = std::sync::mpsc::channel::<(usize, vello_cpu::Pixmap)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (done, next, tops, encoder) = (done.clone(), &next, &tops, &encoder);
            scope.spawn(move || {
                let _release_on_panic = StopOnPanic(encoder);
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&top) = tops.get(index) else { break };
                    if !encoder.wait_for_room(index) {
                        break;
                    }
                    let mut pixmap = draw_strip(
                        tree,
                        to_pixels,
                        width,
                        top,
                        rows_per_strip.min(height - top),
                    );
                    demultiply(pixmap.data_as_u8_slice_mut());
                    // The receiver only hangs up after a failed write; the rest is not wanted.
                    if done.send((index, pixmap)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // Strips arrive in any order and leave in order.
        let mut waiting = std::collections::BTreeMap::new();
        let mut expected = 0;
        for (index, pixmap) in finished {
            waiting.insert(index, pixmap);
            while let Some(pixmap) = waiting.remove(&expected) {
                if let Err(error) = rows(pixmap.data_as_u8_slice()) {
                    encoder.stop();
                    return Err(error);
                }
                expected += 1;
                encoder.encoded(expected);
            }
        }
        Ok(())
    })
}

/// Stops the strips when a drawing thread panics, so that the threads waiting for the encoder
/// to reach them (which it never will without the lost strip) end, and the scope can pass the
/// panic on.
struct StopOnPanic<'a>(&'a StripsEncoded);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// How many strips each drawing thread may be ahead of the encoder: enough that a slow strip
/// does not stop the others, few enough that strips drawn ahead do not pile up in memory.
/// Measured on two cores, a 4K export from the app after zooming about (benches/peak_memory.sh,
/// three runs each): unbounded 152.5–156.9 MB, 2 a thread 151.6–152.7 MB, 1 a thread
/// 148.6–150.3 MB; but with 1 the drawing waits on the encoder, and rasterising and encoding the
/// 4K slide took 98–110 ms against 75 ms with 2.
const STRIPS_AHEAD_PER_THREAD: usize = 2;

/// How many strips the encoder has written, for drawing threads to wait on: a thread that
/// raced ahead of a slow strip would otherwise fill memory with strips that cannot be encoded
/// yet (measured: eleven 1 MiB strips at once in a 4K export).
struct StripsEncoded {
    /// Strips written, or `usize::MAX` once the writing stopped.
    written: std::sync::Mutex<usize>,
    changed: std::sync::Condvar,
    ahead: usize,
}

impl StripsEncoded {
    fn new(ahead: usize) -> Self {
        Self {
            written: std::sync::Mutex::new(0),
            changed: std::sync::Condvar::new(),
            ahead,
        }
    }

    /// Waits until strip `index` is within reach of the encoder; false once writing stopped.
    fn wait_for_room(&self, index: usize) -> bool {
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *written != usize::MAX && index >= *written + self.ahead {
            written = self
                .changed
                .wait(written)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *written != usize::MAX
    }

    fn encoded(&self, strips: usize) {
        self.set(strips);
    }

    /// Lets every waiting thread go, drawing nothing more.
    fn stop(&self) {
        self.set(usize::MAX);
    }

    fn set(&self, value: usize) {
        *self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
        self.changed.notify_all();
    }
}

/// One horizontal strip of the image, `rows` tall from row `top`. Strips are drawn on their
/// own threads; each skips the elements that do not reach it, so a label or a marker is
/// outlined once, not once per strip. vello_cpu's anti-aliasing is exact area coverage, so a
/// shape cut across two strips shows no seam.
fn draw_strip(
    tree: &usvg::Tree,
    to_pixels: kurbo::Affine,
    width: u16,
    top: u16,
    rows: u16,
) -> vello_cpu::Pixmap {
    let to_band = kurbo::Affine::translate((0.0, -f64::from(top))) * to_pixels;
    let band = kurbo::Rect::new(0.0, 0.0, f64::from(width), f64::from(rows));
    let mut context = vello_cpu::RenderContext::new(width, rows);
    draw_group(tree.root(), to_band, band, &mut context);
    context.flush();
    let mut pixmap = vello_cpu::Pixmap::new(width, rows);
    let settings = vello_cpu::RasterizerSettings {
        render_mode: vello_cpu::RenderMode::OptimizeSpeed,
        ..vello_cpu::RasterizerSettings::default()
    };
    context.render_with(&mut pixmap, &mut vello_cpu::Resources::new(), settings);
    pixmap
}

/// Whether every node is one the vello_cpu walker draws exactly: groups that need no layer of
/// their own, and paths painted with plain colours.
fn vello_can_draw(group: &usvg::Group) -> bool {
    let plain = |paint: &usvg::Paint| matches!(paint, usvg::Paint::Color(_));
    group.children().iter().all(|node| match node {
        usvg::Node::Group(inner) => !inner.should_isolate() && vello_can_draw(inner),
        usvg::Node::Text(text) => vello_can_draw(text.flattened()),
        usvg::Node::Path(path) => {
            path.fill().is_none_or(|f| plain(f.paint()))
                && path.stroke().is_none_or(|s| plain(s.paint()))
        }
        usvg::Node::Image(_) => false,
    })
}

/// Draws the nodes of `group` whose stroked bounds reach `band` (in pixels of the band).
fn draw_group(
    group: &usvg::Group,
    to_pixels: kurbo::Affine,
    band: kurbo::Rect,
    context: &mut vello_cpu::RenderContext,
) {
    for node in group.children() {
        let bounds = node.abs_stroke_bounding_box();
        let on_band = to_pixels.transform_rect_bbox(kurbo::Rect::new(
            f64::from(bounds.left()),
            f64::from(bounds.top()),
            f64::from(bounds.right()),
            f64::from(bounds.bottom()),
        ));
        // A pixel of slack: anti-aliasing reaches just past a shape's bounds.
        if !on_band.inflate(1.0, 1.0).overlaps(band) {
            continue;
        }
        match node {
            usvg::Node::Group(inner) => draw_group(inner, to_pixels, band, context),
            usvg::Node::Text(text) => draw_group(text.flattened(), to_pixels, band, context),
            usvg::Node::Path(path) => draw_path(path, to_pixels, context),
            usvg::Node::Image(_) => {}
        }
    }
}

fn draw_path(path: &usvg::Path, to_pixels: kurbo::Affine, context: &mut vello_cpu::RenderContext) {
    if !path.is_visible() {
        return;
    }
    let outline = bez_path(path.data());
    let transform = to_pixels * affine(path.abs_transform());
    context.set_transform(transform);
    let fill = |context: &mut vello_cpu::RenderContext| {
        if let Some(fill) = path.fill() {
            context.set_paint(color(fill.paint(), fill.opacity()));
            context.set_fill_rule(match fill.rule() {
                usvg::FillRule::NonZero => vello_cpu::peniko::Fill::NonZero,
                usvg::FillRule::EvenOdd => vello_cpu::peniko::Fill::EvenOdd,
            });
            context.fill_path(&outline);
        }
    };
    let stroke = |context: &mut vello_cpu::RenderContext| {
        if let Some(stroke) = path.stroke() {
            context.set_paint(color(stroke.paint(), stroke.opacity()));
            let mut style = kurbo::Stroke::new(f64::from(stroke.width().get()))
                .with_join(match stroke.linejoin() {
                    usvg::LineJoin::Round => kurbo::Join::Round,
                    usvg::LineJoin::Bevel => kurbo::Join::Bevel,
                    usvg::LineJoin::Miter | usvg::LineJoin::MiterClip => kurbo::Join::Miter,
                })
                .with_caps(match stroke.linecap() {
                    usvg::LineCap::Butt => kurbo::Cap::Butt,
                    usvg::LineCap::Round => kurbo::Cap::Round,
                    usvg::LineCap::Square => kurbo::Cap::Square,
                })
                .with_miter_limit(f64::from(stroke.miterlimit().get()));
            if let Some(dashes) = stroke.dasharray() {
                style = style.with_dashes(
                    f64::from(stroke.dashoffset()),
                    dashes.iter().map(|d| f64::from(*d)),
                );
            }
            context.set_stroke(style);
            context.stroke_path(&outline);
        }
    };
    if path.paint_order() == usvg::PaintOrder::FillAndStroke {
        fill(context);
        stroke(context);
    } else {
        stroke(context);
        fill(context);
    }
}

fn affine(t: usvg::Transform) -> kurbo::Affine {
    kurbo::Affine::new([t.sx, t.ky, t.kx, t.sy, t.tx, t.ty].map(f64::from))
}

fn bez_path(path: &usvg::tiny_skia_path::Path) -> kurbo::BezPath {
    use usvg::tiny_skia_path::PathSegment;
    let point = |p: usvg::tiny_skia_path::Point| kurbo::Point::new(f64::from(p.x), f64::from(p.y));
    let mut out = kurbo::BezPath::new();
    for segment in path.segments() {
        match segment {
            PathSegment::MoveTo(a) => out.move_to(point(a)),
            PathSegment::LineTo(a) => out.line_to(point(a)),
            PathSegment::QuadTo(a, b) => out.quad_to(point(a), point(b)),
            PathSegment::CubicTo(a, b, c) => out.curve_to(point(a), point(b), point(c)),
            PathSegment::Close => out.close_path(),
        }
    }
    out
}

/// A plain colour (the only paint [`vello_can_draw`] lets through) with its opacity.
fn color(
    paint: &usvg::Paint,
    opacity: usvg::Opacity,
) -> vello_cpu::color::AlphaColor<vello_cpu::color::Srgb> {
    let (r, g, b) = match paint {
        usvg::Paint::Color(c) => (c.red, c.green, c.blue),
        _ => (0, 0, 0),
    };
    vello_cpu::color::AlphaColor::from_rgba8(r, g, b, opacity.to_u8())
}

/// Renderers keep premultiplied alpha; PNG wants straight alpha. Opaque pixels (all of a slide
/// but anti-aliased edges on a transparent page) are the same in both, so an opaque image,
/// found by a quick scan, is left as it is.
fn demultiply(rgba: &mut [u8]) {
    if rgba.chunks_exact(4).all(|pixel| pixel[3] == 255) {
        return;
    }
    for pixel in rgba.chunks_exact_mut(4) {
        let alpha = pixel[3];
        if alpha != 255 && alpha != 0 {
            for channel in &mut pixel[..3] {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "a premultiplied channel is at most alpha, so the result is at most 255"
                )]
                let straight =
                    ((u16::from(*channel) * 255 + u16::from(alpha) / 2) / u16::from(alpha)) as u8;
                *channel = straight;
            }
        }
    }
}

/// Straight-alpha RGBA pixels to PNG bytes.
pub fn encode_rgba_png(rgba: &[u8], size_px: [u32; 2]) -> Result<Vec<u8>, ExportError> {
    let raster = |e: png::EncodingError| ExportError::Raster(e.to_string());
    let mut bytes = Vec::new();
    let mut writer = png_encoder(&mut bytes, size_px)
        .write_header()
        .map_err(raster)?;
    writer.write_image_data(rgba).map_err(raster)?;
    writer.finish().map_err(raster)?;
    Ok(bytes)
}

/// RGBA, 8 bits, fast compression: a slide PNG is written in a few tens of milliseconds and
/// about a tenth of its raw size.
fn png_encoder<W: std::io::Write>(out: W, size_px: [u32; 2]) -> png::Encoder<'static, W> {
    let mut encoder = png::Encoder::new(out, size_px[0], size_px[1]);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Sub);
    encoder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::{self, Deck};

    /// A drawing thread two strips ahead of the encoder waits until the encoder catches up,
    /// and is let go, drawing nothing, when the writing stops.
    #[test]
    fn strips_wait_for_the_encoder_to_come_within_reach() {
        let encoder = StripsEncoded::new(2);
        assert!(encoder.wait_for_room(0) && encoder.wait_for_room(1));
        let (reached, reaching) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| reached.send(encoder.wait_for_room(3)));
            let early = reaching.recv_timeout(std::time::Duration::from_millis(200));
            assert!(early.is_err(), "strip 3 waited while none was encoded");
            encoder.encoded(1);
            let still = reaching.recv_timeout(std::time::Duration::from_millis(200));
            assert!(still.is_err(), "strip 3 waited with one encoded");
            encoder.encoded(2);
            let reached = reaching.recv_timeout(std::time::Duration::from_secs(10));
            assert_eq!(reached, Ok(true), "strip 3 went once two were encoded");
        });
        let (stopped, stopping) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| stopped.send(encoder.wait_for_room(9)));
            encoder.stop();
            let stopped = stopping.recv_timeout(std::time::Duration::from_secs(10));
            assert_eq!(
                stopped,
                Ok(false),
                "a stopped encoder lets every strip go undrawn"
            );
        });
    }
    use crate::export::render_slide;
    use crate::scene::MapModel;

    fn overview_tree(size: [u32; 2], scale: f32) -> usvg::Tree {
        let atlas = crate::data::bundled::load().expect("bundled data");
        let model = MapModel::build(&atlas, crate::spatial::Projection::default());
        let deck = Deck::parse("default", deck::DEFAULT_DECK).expect("default deck");
        let slide = deck.slide("overview").expect("overview slide");
        parse_svg(&render_slide(&atlas, &model, slide, size, scale).svg).expect("slide parses")
    }

    /// The fast path must draw what resvg, the reference SVG renderer, draws. The two
    /// anti-alias differently (resvg draws lines under a pixel wide as hairlines, vello_cpu as
    /// thin areas), so single pixels along thin lines differ by up to about 80 levels; the
    /// ink in each 8×8 block stays within 9 levels. A missing, moved or miscoloured mark
    /// (a city dot is about 20 pixels, a label far more) shifts its block by 30 and more.
    #[test]
    fn slides_are_drawn_as_resvg_draws_them() {
        const BLOCK: usize = 8;
        let size = [2560, 1440];
        let tree = overview_tree(size, 2.0);
        assert!(vello_can_draw(tree.root()), "slides take the fast path");
        // Three strips, so that seams cross the map, the legend and the inset.
        let mut fast = Vec::new();
        rasterise_in_strips(&tree, size, 2, 3, MAX_STRIP_BYTES, &mut |rows| {
            fast.extend_from_slice(rows);
            Ok(())
        })
        .expect("vello_cpu render");
        let mut reference = resvg::tiny_skia::Pixmap::new(size[0], size[1]).expect("pixmap");
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::identity(),
            &mut reference.as_mut(),
        );
        let mut reference = reference.take();
        demultiply(&mut reference);
        let reference = reference.as_slice();

        let width = size[0] as usize;
        let mut worst = (0.0_f64, 0, 0);
        for block_y in (0..size[1] as usize).step_by(BLOCK) {
            for block_x in (0..width).step_by(BLOCK) {
                for channel in 0..4 {
                    let mut difference = 0_i64;
                    for y in block_y..block_y + BLOCK {
                        for x in block_x..block_x + BLOCK {
                            let at = (y * width + x) * 4 + channel;
                            difference += i64::from(fast[at]) - i64::from(reference[at]);
                        }
                    }
                    #[expect(clippy::cast_precision_loss, reason = "small sums")]
                    let mean = (difference as f64 / (BLOCK * BLOCK) as f64).abs();
                    if mean > worst.0 {
                        worst = (mean, block_x, block_y);
                    }
                }
            }
        }
        assert!(
            worst.0 <= 16.0,
            "the {BLOCK}×{BLOCK} block at ({}, {}) differs by {:.1} levels on average",
            worst.1,
            worst.2,
            worst.0
        );
    }

    /// Strips are drawn apart, yet their seams must not show: the overview slide in one piece
    /// and in three strips are the same but for rounding.
    #[test]
    fn strips_join_without_seams() {
        let size = [1280, 720];
        let tree = overview_tree(size, 1.0);
        let in_strips = |strips| {
            let mut rgba = Vec::new();
            rasterise_in_strips(&tree, size, 2, strips, usize::MAX, &mut |rows| {
                rgba.extend_from_slice(rows);
                Ok(())
            })
            .expect("renders");
            rgba
        };
        let (whole, strips) = (in_strips(1), in_strips(3));
        let differing: Vec<(usize, u8)> = whole
            .iter()
            .zip(&strips)
            .enumerate()
            .filter(|(_, (a, b))| a.abs_diff(**b) > 2)
            .map(|(i, (a, b))| (i / 4 / size[0] as usize, a.abs_diff(*b)))
            .collect();
        assert!(
            differing.is_empty(),
            "{} channel values differ, first rows and differences: {:?}",
            differing.len(),
            &differing[..differing.len().min(10)]
        );
    }

    /// However few strips the cores ask for, none holds more pixels than the budget, and
    /// together they are the whole image.
    #[test]
    fn strips_stay_within_their_memory_budget() {
        let size = [3840, 2160];
        let tree = overview_tree(size, 2.0);
        let mut sizes = Vec::new();
        rasterise_in_strips(&tree, size, 2, 2, MAX_STRIP_BYTES, &mut |rows| {
            sizes.push(rows.len());
            Ok(())
        })
        .expect("renders");
        assert!(sizes.iter().all(|&n| n <= MAX_STRIP_BYTES), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 3840 * 2160 * 4);
        assert!(sizes.len() > 2, "{sizes:?}");
    }

    /// A failed write (a full disk, say) stops the drawing and is reported; nothing hangs.
    #[test]
    fn a_failed_write_stops_the_strips() {
        let size = [640, 360];
        let tree = overview_tree(size, 0.5);
        let mut calls = 0;
        let result = rasterise_in_strips(&tree, size, 2, 8, MAX_STRIP_BYTES, &mut |_| {
            calls += 1;
            Err(ExportError::Raster("disk full".into()))
        });
        assert!(matches!(result, Err(ExportError::Raster(m)) if m == "disk full"));
        assert_eq!(calls, 1);
    }

    #[test]
    fn svg_beyond_the_fast_path_is_drawn_by_resvg() {
        // A group with opacity needs a layer of its own, which the fast path does not draw.
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">
            <rect width="20" height="10" fill="#ffffff"/>
            <g opacity="0.5"><rect width="10" height="10" fill="#000000"/></g></svg>"##;
        let tree = parse_svg(svg).expect("parses");
        assert!(!vello_can_draw(tree.root()));
        let rgba = rasterise(&tree, [20, 10]).expect("renders");
        // Left half: black at half opacity over white; right half: white.
        assert!((i32::from(rgba[0]) - 128).abs() <= 2, "{}", rgba[0]);
        assert_eq!(&rgba[(19 * 4)..(19 * 4 + 4)], &[255, 255, 255, 255]);
    }

    #[test]
    fn sizes_beyond_the_renderer_are_an_error() {
        let tree = parse_svg(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#)
            .expect("parses");
        for size in [[70_000, 10], [10, 70_000], [0, 10], [10, 0], [0, 0]] {
            assert!(rasterise(&tree, size).is_err(), "{size:?}");
        }
        assert!(svg_to_png("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", [0, 5]).is_err());
    }
}
