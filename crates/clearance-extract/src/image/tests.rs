use super::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .ok()
}

fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: corpus folder {} is absent", dir.display());
        None
    }
}

fn meta<'d>(doc: &'d ExtractedDocument, part: &str, key: &str) -> Option<&'d str> {
    doc.metadata
        .iter()
        .find(|m| m.part == part && m.key == key)
        .map(|m| m.value.as_str())
}

fn kind_of(e: &ExtractError) -> &'static str {
    match e {
        ExtractError::UnknownFormat { .. } => "unknown-format",
        ExtractError::Encrypted { .. } => "encrypted",
        ExtractError::Corrupt { .. } => "corrupt",
        ExtractError::Unsupported { .. } => "unsupported",
        ExtractError::TooLarge { .. } => "too-large",
    }
}

#[test]
fn reads_camera_owner_and_gps_from_exif() {
    let Some(bytes) = fixture("photo-gps.jpg") else {
        eprintln!("skipped: fixtures/photo-gps.jpg not generated");
        return;
    };
    let doc = extract(&bytes, &Limits::default()).unwrap();
    assert_eq!(doc.format, Format::Image);
    assert_eq!(doc.images.len(), 1);
    assert_eq!(
        (doc.images[0].width, doc.images[0].height),
        (Some(64), Some(48))
    );
    assert_eq!(doc.images[0].kind.as_deref(), Some("jpeg"));
    assert_eq!(meta(&doc, "EXIF", "Make"), Some("Canon"));
    assert_eq!(meta(&doc, "EXIF", "Model"), Some("Canon EOS 5D Mark IV"));
    assert_eq!(meta(&doc, "EXIF", "BodySerialNumber"), Some("032024001234"));
    assert_eq!(meta(&doc, "EXIF", "Artist"), Some("Wang Fang"));
    assert!(meta(&doc, "EXIF", "GPSAltitude").is_some_and(|v| v.starts_with("1200")));
    assert_eq!(doc.gps.len(), 1);
    assert!((doc.gps[0].lat - 40.512).abs() < 1e-4, "{:?}", doc.gps);
    assert!((doc.gps[0].lon - 89.451).abs() < 1e-4, "{:?}", doc.gps);
    assert_eq!(doc.gps[0].part, "EXIF");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn western_hemisphere_is_negative() {
    let Some(bytes) = fixture("photo-outside.jpg") else {
        return;
    };
    let doc = extract(&bytes, &Limits::default()).unwrap();
    assert_eq!(doc.gps.len(), 1);
    assert!((doc.gps[0].lat - 51.5007).abs() < 1e-4);
    assert!(
        (doc.gps[0].lon + 0.1246).abs() < 1e-4,
        "W must be negative: {:?}",
        doc.gps
    );
}

#[test]
fn an_empty_gps_ifd_gives_no_position() {
    let Some(bytes) = fixture("empty-gps.jpg") else {
        return;
    };
    let doc = extract(&bytes, &Limits::default()).unwrap();
    assert!(doc.gps.is_empty(), "{:?}", doc.gps);
    assert_eq!(
        meta(&doc, "EXIF", "Make"),
        Some("Canon"),
        "the rest of the EXIF is still read"
    );
}

#[test]
fn reads_png_text_chunks() {
    let Some(bytes) = fixture("screenshot.png") else {
        return;
    };
    let doc = extract(&bytes, &Limits::default()).unwrap();
    assert_eq!(meta(&doc, "PNG text", "Author"), Some("Li Na"));
    assert!(meta(&doc, "PNG text", "Comment").is_some_and(|v| v.contains("Project Nightjar")));
    assert!(
        meta(&doc, "PNG text", "Description").is_some_and(|v| v.contains("黄羊试验场")),
        "compressed iTXt is inflated: {:?}",
        doc.metadata
    );
    assert_eq!(
        (doc.images[0].width, doc.images[0].height),
        (Some(80), Some(40))
    );
}

#[test]
fn embedded_images_name_their_part() {
    let Some(bytes) = fixture("photo-gps.jpg") else {
        return;
    };
    let mut doc = ExtractedDocument::new(Format::Docx);
    read_metadata(&bytes, "word/media/image1.jpg", None, &mut doc);
    assert_eq!(
        meta(&doc, "word/media/image1.jpg EXIF", "Make"),
        Some("Canon")
    );
    assert_eq!(doc.gps[0].part, "word/media/image1.jpg EXIF");
    let mut doc = ExtractedDocument::new(Format::Pdf);
    read_metadata(&bytes, "page 2 /Im0", Some(2), &mut doc);
    assert_eq!(doc.gps[0].page, Some(2));
    assert!(doc.metadata.iter().all(|m| m.page == Some(2)));
}

#[test]
fn the_pixel_budget_is_checked_before_decoding() {
    let Some(bytes) = fixture("photo-gps.jpg") else {
        return;
    };
    let small = Limits {
        max_image_pixels: 1000,
        ..Limits::default()
    };
    let err = extract(&bytes, &small).unwrap_err();
    assert_eq!(
        err,
        ExtractError::too_large("image of 64x48 pixels exceeds the limit of 0.001 megapixels")
    );
    assert!(matches!(
        decode(&bytes, &small),
        Err(ExtractError::TooLarge { .. })
    ));
    let img = decode(&bytes, &Limits::default()).unwrap();
    assert_eq!((img.width(), img.height()), (64, 48));
}

#[test]
fn garbage_after_a_magic_is_a_warning_not_a_panic() {
    let doc = extract(
        &[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, b'E', b'x'],
        &Limits::default(),
    )
    .unwrap();
    assert!(!doc.warnings.is_empty());
    assert!(matches!(
        extract(b"not an image", &Limits::default()),
        Err(ExtractError::UnknownFormat { .. })
    ));
    assert!(matches!(
        decode(b"\x89PNG\r\n\x1a\n", &Limits::default()),
        Err(ExtractError::Corrupt { .. })
    ));
}

#[test]
fn hostile_images_are_refused_or_read_within_limits() {
    let Some(dir) = corpus("hostile") else { return };
    let expect_too_large = [
        "jpeg_claims_65000x65000.jpg",
        "png_claims_100000x100000.png",
        "tiff_claims_100000x100000.tif",
        "png_bomb_20000x20000.png",
        "jpeg_bomb_12000x12000.jpg",
    ];
    for name in expect_too_large {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let result = extract(&bytes, &Limits::default());
        assert!(
            matches!(result, Err(ExtractError::TooLarge { .. })),
            "{name}: {result:?}"
        );
        assert!(
            matches!(
                decode(&bytes, &Limits::default()),
                Err(ExtractError::TooLarge { .. })
            ),
            "{name}"
        );
    }
    for name in ["jpeg_exif_ifd_loop.jpg", "jpeg_exif_huge_count.jpg"] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let doc = extract(&bytes, &Limits::default());
        assert!(
            doc.is_ok(),
            "{name}: an EXIF loop is partial metadata, not a failure: {doc:?}"
        );
    }
}

#[test]
fn reads_gps_and_xmp_from_real_files() {
    let Some(dir) = corpus("image") else { return };
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .ok()
            .map(|b| extract(&b, &Limits::default()))
    };
    if let Some(Ok(doc)) = read("es_gps_DSCN0010.jpg") {
        assert_eq!(doc.gps.len(), 1, "{:?}", doc.gps);
    }
    if let Some(Ok(doc)) = read("pil_exif_gps.jpg") {
        assert!(
            meta(&doc, "EXIF", "GPSLatitude").is_some(),
            "lenient EXIF recovers the GPS IFD"
        );
        assert!(
            doc.gps.is_empty(),
            "a latitude without a longitude is no position: {:?}",
            doc.gps
        );
    }
    if let Some(Ok(doc)) = read("es_Kodak_CX7530.jpg") {
        let p = &doc.gps[0];
        assert!(
            p.lat < 0.0 && (p.lat + 0.37).abs() < 0.02 && (p.lon - 36.05).abs() < 0.02,
            "{p:?}"
        );
    }
    if let Some(Ok(doc)) = read("et_GPS.jpg") {
        let p = &doc.gps[0];
        assert!(
            (p.lat - 54.98).abs() < 0.02 && p.lon < 0.0 && (p.lon + 1.9).abs() < 0.02,
            "{p:?}"
        );
    }
    if let Some(Ok(doc)) = read("pil_empty_gps_ifd.jpg") {
        assert!(doc.gps.is_empty());
    }
    if let Some(Ok(doc)) = read("et_ExtendedXMP.jpg") {
        assert_eq!(
            meta(&doc, "XMP", "pdf:Author"),
            Some("PhilToo"),
            "extended XMP is joined: {:?}",
            doc.metadata
        );
    }
    if let Some(Ok(doc)) = read("et_PNG.png") {
        assert!(doc
            .metadata
            .iter()
            .any(|m| m.part == "XMP" || m.part == "PNG text"));
    }
    if let Some(Ok(doc)) = read("et_GeoTiff.tif") {
        assert_eq!(
            (doc.images[0].width, doc.images[0].height),
            (Some(25), Some(24)),
            "from IFD0"
        );
        assert!(meta(&doc, "EXIF", "GeoTIFF GeoAsciiParams").is_some_and(|v| v.contains("UTM")));
    }
    if let Some(result) = read("es_samplefilehub.heif") {
        let doc = result.unwrap();
        assert!(
            doc.warnings
                .iter()
                .any(|w| w == "HEIF image: pixels not decoded"),
            "{:?}",
            doc.warnings
        );
    }
}

#[test]
fn every_corpus_image_is_read_or_refused_cleanly() {
    let (Some(images), Some(hostile)) = (corpus("image"), corpus("hostile")) else {
        return;
    };
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(images)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.extend(
        std::fs::read_dir(hostile)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("jpeg_") || n.starts_with("png_") || n.starts_with("tiff_")
                })
            }),
    );
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        if image_kind(&bytes).is_none() {
            continue; // SOURCES.md and the like
        }
        let started = std::time::Instant::now();
        let outcome = match extract(&bytes, &Limits::default()) {
            Ok(doc) => {
                assert_eq!(doc.images.len(), 1);
                if doc.warnings.is_empty() {
                    "ok"
                } else {
                    eprintln!("{}: warnings {:?}", path.display(), doc.warnings);
                    "ok-with-warnings"
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                kind_of(&e)
            }
        };
        assert!(
            started.elapsed().as_secs() < 10,
            "{} took {:?}",
            path.display(),
            started.elapsed()
        );
        *outcomes.entry(outcome).or_default() += 1;
    }
    eprintln!("image corpus outcomes: {outcomes:?}");
    assert!(
        outcomes.get("ok").copied().unwrap_or(0)
            + outcomes.get("ok-with-warnings").copied().unwrap_or(0)
            > 20
    );
}

#[test]
fn mutated_images_never_panic() {
    let mut state: u64 = 0x1AB5_EED0_0000_0042;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n.max(1) as u64).unwrap_or(0)
    };
    for name in ["photo-gps.jpg", "screenshot.png", "empty-gps.jpg"] {
        let Some(original) = fixture(name) else {
            continue;
        };
        for round in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..1 + next(6) {
                let at = 4 + next(bytes.len() - 4); // keep the magic so every reader runs
                if next(5) == 0 {
                    bytes.truncate(at);
                } else if let Some(b) = bytes.get_mut(at) {
                    *b = u8::try_from(next(256)).unwrap_or(0);
                }
            }
            let result = std::panic::catch_unwind(|| {
                let _ = extract(&bytes, &Limits::default());
                let _ = decode(&bytes, &Limits::default());
            });
            assert!(result.is_ok(), "{name} round {round} panicked");
        }
    }
}

#[test]
fn decode_upright_follows_the_exif_orientation() {
    let bytes = fixture("ocr/sign-en-rotated.jpg").expect("fixture");
    let limits = Limits::default();
    let stored = decode(&bytes, &limits).expect("decodes");
    assert_eq!((stored.width(), stored.height()), (300, 900), "as stored");
    let shown = decode_upright(&bytes, &limits).expect("decodes");
    assert_eq!((shown.width(), shown.height()), (900, 300), "as displayed");
    // Without an orientation tag both are the same picture.
    let plain = fixture("ocr/sign-en.jpg").expect("fixture");
    assert_eq!(
        decode_upright(&plain, &limits).expect("decodes").as_bytes(),
        decode(&plain, &limits).expect("decodes").as_bytes()
    );
}
