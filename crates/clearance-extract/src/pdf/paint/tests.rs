//! The paint log on small hand-written pages: paint order, colours, clips, forms, images.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use super::*;

/// A one-page PDF whose page draws `content`, with Helvetica as /F1 and `resources` (extra
/// resource entries) and `objects` (numbered from 6) added.
fn pdf(content: &str, resources: &str, objects: &[&[u8]]) -> Vec<u8> {
    let mut objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> {resources} >> /Contents 4 0 R >>").into_bytes(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    objs.extend(objects.iter().map(|o| o.to_vec()));
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn paint(bytes: &[u8]) -> PaintLog {
    let doc = Document::load_mem(bytes).unwrap();
    page_paint(&doc, bytes, 1, &Limits::default()).unwrap()
}

fn fills(log: &PaintLog) -> Vec<&FillPaint> {
    log.items
        .iter()
        .filter_map(|i| match i {
            PaintItem::Fill(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn texts(log: &PaintLog) -> Vec<&TextPaint> {
    log.items
        .iter()
        .filter_map(|i| match i {
            PaintItem::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn lum(c: Option<Rgb>) -> f32 {
    (c.unwrap().luminance() * 100.0).round() / 100.0
}

#[test]
fn items_come_in_paint_order_with_their_state() {
    let log = paint(&pdf(
        "0.2 g 10 10 50 20 re f* BT /F1 12 Tf 1 0 0 rg 3 Tr 72 700 Td (Hi) Tj ET 0 0 0 1 k 5 5 m 50 5 l 5 50 l h f",
        "",
        &[],
    ));
    assert!(matches!(log.items[0], PaintItem::Fill(_)), "box first");
    assert!(matches!(log.items[1], PaintItem::Text(_)), "then text");
    let f = fills(&log);
    assert_eq!(f[0].rule, FillRule::EvenOdd);
    assert!(f[0].shape.is_rect);
    assert_eq!(f[0].shape.bbox, Rect::new(10.0, 10.0, 60.0, 30.0));
    assert_eq!(lum(f[0].colour), 0.2);
    assert!(!f[1].shape.is_rect, "a triangle is not a rectangle");
    assert_eq!(f[1].rule, FillRule::NonZero);
    assert_eq!(lum(f[1].colour), 0.0, "CMYK full black");
    let t = texts(&log)[0];
    assert_eq!(t.render_mode, 3);
    assert!(!t.paints());
    assert_eq!(
        t.fill,
        Some(Rgb {
            r: 1.0,
            g: 0.0,
            b: 0.0
        })
    );
    assert_eq!(t.glyphs.iter().map(|g| g.ch).collect::<String>(), "Hi");
    assert!((t.font_size - 12.0).abs() < 0.01);
}

#[test]
fn standard_font_widths_place_glyphs_like_a_viewer() {
    let log = paint(&pdf("BT /F1 10 Tf 100 100 Td (AW) Tj ET", "", &[]));
    let g = &texts(&log)[0].glyphs;
    // Helvetica: A = 667, W = 944 thousandths of an em.
    assert!((g[0].bbox.x1 - 106.67).abs() < 0.01, "{:?}", g[0].bbox);
    assert!((g[1].bbox.x1 - 116.11).abs() < 0.01, "{:?}", g[1].bbox);
}

#[test]
fn clips_intersect_and_q_restores_them() {
    let log = paint(&pdf(
        "q 10 10 100 100 re W n 1 g 0 0 500 500 re f Q 0 0 500 500 re f",
        "",
        &[],
    ));
    assert_eq!(
        log.items[0],
        PaintItem::Clip(Rect::new(10.0, 10.0, 110.0, 110.0))
    );
    let f = fills(&log);
    assert_eq!(f[0].clip, Rect::new(10.0, 10.0, 110.0, 110.0));
    assert_eq!(lum(f[0].colour), 1.0);
    assert_eq!(f[1].clip, log.media_box, "Q restores the clip");
    assert_eq!(lum(f[1].colour), 0.0, "Q restores the colour");
    let inside = Rect::new(20.0, 20.0, 30.0, 30.0);
    let outside = Rect::new(200.0, 200.0, 210.0, 210.0);
    assert_eq!(f[0].coverage(&inside), 1.0);
    assert_eq!(f[0].coverage(&outside), 0.0, "clipped away");
}

#[test]
fn clipping_text_marks_later_fills() {
    let log = paint(&pdf(
        "BT /F1 20 Tf 7 Tr 100 100 Td (Clip) Tj ET 0 0 612 792 re f",
        "",
        &[],
    ));
    let f = fills(&log);
    assert!(f[0].text_clip, "the fill paints the glyph shapes");
    assert!(f[0].clip.x1 - f[0].clip.x0 < 100.0);
}

#[test]
fn ext_gstate_alpha_blend_and_soft_mask() {
    let log = paint(&pdf(
        "/A gs 10 10 50 50 re f /B gs 10 10 50 50 re f",
        "/ExtGState << /A << /ca 0.5 /BM /Multiply >> /B << /ca 1 /BM /Normal /SMask << /S /Luminosity >> >> >>",
        &[],
    ));
    let f = fills(&log);
    assert_eq!(
        (f[0].alpha, f[0].blend, f[0].soft_mask),
        (0.5, Blend::Darken, false)
    );
    assert_eq!(
        (f[1].alpha, f[1].blend, f[1].soft_mask),
        (1.0, Blend::Normal, true)
    );
}

#[test]
fn colour_spaces_from_resources() {
    let log = paint(
        &pdf(
            "/Cs1 cs 0 0 0 1 scn 0 0 10 10 re f /Cs2 cs 1 scn 0 0 10 10 re f /Pattern cs /P1 scn 0 0 10 10 re f",
            "/ColorSpace << /Cs1 [/ICCBased 6 0 R] /Cs2 [/Indexed /DeviceRGB 1 <000000FFFFFF>] >>",
            &[b"<< /N 4 /Length 0 >>\nstream\n\nendstream"],
        ),
    );
    let f = fills(&log);
    assert_eq!(lum(f[0].colour), 0.0, "ICC with 4 components is CMYK");
    assert_eq!(lum(f[1].colour), 1.0, "index 1 is white");
    assert_eq!(f[2].colour, None, "patterns are unknown");
}

#[test]
fn images_get_their_square_and_darkness() {
    let black = {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&[0u8; 64]).unwrap();
        z.finish().unwrap()
    };
    let mut img = format!(
        "<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {} >>\nstream\n",
        black.len()
    )
    .into_bytes();
    img.extend(&black);
    img.extend(b"\nendstream");
    let log = paint(&pdf(
        "q 100 0 0 20 50 60 cm /Im1 Do Q q 10 0 0 10 0 0 cm BI /W 1 /H 1 /CS /DeviceGray /BPC 8 ID \x00 EI Q",
        "/XObject << /Im1 6 0 R >>",
        &[&img],
    ));
    let images: Vec<&ImagePaint> = log
        .items
        .iter()
        .filter_map(|i| match i {
            PaintItem::Image(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(images[0].bbox, Rect::new(50.0, 60.0, 150.0, 80.0));
    assert_eq!(images[0].darkness, Some(1.0));
    assert!(!images[0].inline && !images[0].mask && !images[0].transparent);
    assert!(images[1].inline);
    assert_eq!(images[1].bbox, Rect::new(0.0, 0.0, 10.0, 10.0));
}

#[test]
fn forms_are_followed_with_matrix_and_a_cycle_check() {
    let form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [1 0 0 1 200 300] /Resources << /XObject << /Fm1 6 0 R >> >> /Length 33 >>\nstream\n0 0 10 10 re f /Fm1 Do 1 1 1 1 re\nendstream";
    let log = paint(&pdf("/Fm1 Do", "/XObject << /Fm1 6 0 R >>", &[form]));
    let f = fills(&log);
    assert_eq!(f.len(), 1, "the self-drawing form runs once");
    assert_eq!(f[0].shape.bbox, Rect::new(200.0, 300.0, 210.0, 310.0));
    assert!(
        log.problems.iter().any(|p| p.contains("cycle")),
        "{:?}",
        log.problems
    );
}

#[test]
fn missing_page_is_an_error() {
    let bytes = pdf("", "", &[]);
    let doc = Document::load_mem(&bytes).unwrap();
    let err = page_paint(&doc, &bytes, 2, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("page 2 does not exist"), "{err}");
}

#[test]
fn garbage_operands_are_ignored() {
    let log = paint(&pdf(
        "/X re f (a) rg 0 0 10 10 re f 1 2 cm BT /Nope 12 Tf (x) Tj ET Q Q Q",
        "",
        &[],
    ));
    let f = fills(&log);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].colour, None,
        "rg without numbers gives an unknown colour"
    );
    assert!(texts(&log).is_empty(), "no font, no glyphs");
}

#[test]
fn extraction_hands_over_the_logs_page_paint_makes() {
    let bytes = pdf(
        "BT /F1 12 Tf 72 700 Td (Nightjar) Tj ET 0 g 70 695 80 16 re f",
        "",
        &[],
    );
    let (doc, mut kept) = crate::pdf::extract_with_paint(&bytes, &Limits::default()).unwrap();
    assert!(doc.segments[0].text.contains("Nightjar"));
    let fresh = paint(&bytes);
    assert_eq!(kept.remove(&1).unwrap().unwrap(), fresh);
    assert_eq!(texts(&fresh).len(), 1);
    assert_eq!(fills(&fresh).len(), 1);
}
