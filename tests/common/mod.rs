//! Helpers shared by the integration tests.

/// How many pixels of `simplified` (RGBA, `width` pixels a row) match no pixel of `full`
/// within one pixel of the same place: the pixels where an outline moved by more than a pixel.
/// The one-pixel border is not compared.
pub fn pixels_moved_beyond_a_pixel(simplified: &[u8], full: &[u8], width: usize) -> usize {
    let height = simplified.len() / 4 / width;
    let pixel = |img: &'_ [u8], x: usize, y: usize| -> [u8; 3] {
        let at = (y * width + x) * 4;
        [img[at], img[at + 1], img[at + 2]]
    };
    let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(&b).all(|(p, q)| p.abs_diff(*q) <= 40);
    let mut far = 0;
    for y in 1..height - 1 {
        for x in 1..width - 1 {
            let here = pixel(simplified, x, y);
            if close(here, pixel(full, x, y)) {
                continue;
            }
            let near = (y - 1..=y + 1)
                .any(|ny| (x - 1..=x + 1).any(|nx| close(here, pixel(full, nx, ny))));
            if !near {
                far += 1;
            }
        }
    }
    far
}
