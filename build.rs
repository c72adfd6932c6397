//! Compresses the bundled basemap layers (zlib streams) into the build's output folder. The
//! program carries them compressed (about a quarter of their 7.5 MB) and inflates each once at
//! start-up, with fdeflate: text built in would otherwise stay resident in the program's mapped
//! pages for the whole run.

use std::path::PathBuf;

/// The layers in `assets/basemap/`, each read as `NAME.geojson`; `src/data/mod.rs` includes
/// `NAME.geojson.deflate` from the output folder.
const BASEMAP_LAYERS: [&str; 6] = [
    "countries-10m",
    "countries-50m",
    "regions-10m",
    "lakes-10m",
    "rivers-50m",
    "cities",
];

/// A fast level: the build compresses with an unoptimised compressor, and the higher levels
/// gain a few percent for several times the time.
const LEVEL: u8 = 3;

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for layer in BASEMAP_LAYERS {
        let source = format!("assets/basemap/{layer}.geojson");
        println!("cargo::rerun-if-changed={source}");
        let text = std::fs::read(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&text, LEVEL);
        let target = out_dir.join(format!("{layer}.geojson.deflate"));
        std::fs::write(&target, packed).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    }
    println!("cargo::rerun-if-changed=build.rs");
}
