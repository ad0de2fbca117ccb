//! EXIF thumbnails that no longer match their image. Many editors crop or retouch the main
//! image but leave the IFD1 thumbnail written by the camera, which still shows the original.

use std::io::Cursor;

use clearance_extract::Limits;
use clearance_model::{Severity, Source};
use image::{DynamicImage, GrayImage};

use crate::report::{hidden, Out};

/// Mean absolute grey difference (0–255) above which the thumbnail counts as different. Real
/// camera thumbnails of untouched photos measure below 6 here (JPEG noise, resampling); a
/// crop or a blacked-out area measures well above (see the tests and the fixtures).
pub(crate) const MEAN_THRESHOLD: f64 = 14.0;
/// Share of pixels differing by more than [`STRONG_DIFF`] above which the thumbnail counts as
/// different even when the mean is low (a small box painted over one detail).
pub(crate) const STRONG_SHARE_THRESHOLD: f64 = 0.03;
const STRONG_DIFF: u8 = 80;
/// Thumbnails smaller than this on either side are too coarse to compare.
const MIN_SIDE: u32 = 16;

/// How a thumbnail compares with its image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Comparison {
    /// Mean absolute grey difference.
    pub mean: f64,
    /// Share of pixels differing strongly.
    pub strong: f64,
}

impl Comparison {
    pub fn differs(&self) -> bool {
        self.mean > MEAN_THRESHOLD || self.strong > STRONG_SHARE_THRESHOLD
    }
}

/// The IFD1 JPEG thumbnail of the EXIF data in `bytes`, if there is one.
pub(crate) fn exif_thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let exif = match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(e) => e,
        Err(e) => e.distill_partial_result(|_| {}).ok()?,
    };
    let off = exif
        .get_field(exif::Tag::JPEGInterchangeFormat, exif::In::THUMBNAIL)?
        .value
        .get_uint(0)? as usize;
    let len = exif
        .get_field(exif::Tag::JPEGInterchangeFormatLength, exif::In::THUMBNAIL)?
        .value
        .get_uint(0)? as usize;
    let thumb = exif.buf().get(off..off.checked_add(len)?)?;
    thumb.starts_with(&[0xFF, 0xD8]).then(|| thumb.to_vec())
}

/// Decodes an image within the pixel and allocation budgets.
pub(crate) fn decode(bytes: &[u8], limits: &Limits) -> Result<DynamicImage, String> {
    let reader = || {
        image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())
    };
    let (w, h) = reader()?.into_dimensions().map_err(|e| e.to_string())?;
    if u64::from(w) * u64::from(h) > limits.max_image_pixels {
        return Err(format!(
            "{w}×{h} pixels exceeds the limit of {} pixels",
            limits.max_image_pixels
        ));
    }
    let mut r = reader()?;
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_image_alloc);
    r.limits(l);
    r.decode().map_err(|e| e.to_string())
}

fn smooth(img: &GrayImage) -> GrayImage {
    image::imageops::blur(img, 0.8)
}

fn measure(a: &GrayImage, b: &GrayImage) -> Comparison {
    let (a, b) = (smooth(a), smooth(b));
    let mut sum = 0u64;
    let mut strong = 0u64;
    let mut n = 0u64;
    for (pa, pb) in a.pixels().zip(b.pixels()) {
        let d = pa.0[0].abs_diff(pb.0[0]);
        sum += u64::from(d);
        strong += u64::from(d > STRONG_DIFF);
        n += 1;
    }
    if n == 0 {
        return Comparison {
            mean: 0.0,
            strong: 0.0,
        };
    }
    Comparison {
        mean: sum as f64 / n as f64,
        strong: strong as f64 / n as f64,
    }
}

fn flat_grey_row(img: &GrayImage, y: u32) -> bool {
    let (mut lo, mut hi) = (u8::MAX, u8::MIN);
    for x in 0..img.width() {
        let v = img.get_pixel(x, y).0[0];
        lo = lo.min(v);
        hi = hi.max(v);
    }
    hi.saturating_sub(lo) <= 2 && (120..=136).contains(&lo)
}

fn flat_row(img: &GrayImage, y: u32) -> bool {
    let row: Vec<u8> = (0..img.width()).map(|x| img.get_pixel(x, y).0[0]).collect();
    let (lo, hi) = (
        row.iter().min().copied().unwrap_or(0),
        row.iter().max().copied().unwrap_or(0),
    );
    hi.saturating_sub(lo) <= 10
}

/// True when the main image stops in a flat mid-grey band where the thumbnail still has
/// detail: the decoder filled a truncated or corrupt JPEG with grey. Comparing would flag the
/// damage, not an edit. Black or white bands (painted-over areas) do not count.
pub(crate) fn truncated_decode(main: &DynamicImage, thumb: &DynamicImage) -> bool {
    let (tw, th) = (thumb.width(), thumb.height());
    if tw == 0 || th == 0 {
        return false;
    }
    let m = main.thumbnail_exact(tw, th).to_luma8();
    let t = thumb.to_luma8();
    let grey = (0..th).rev().take_while(|&y| flat_grey_row(&m, y)).count() as u32;
    grey >= (th / 10).max(2) && !(th - grey..th).all(|y| flat_row(&t, y))
}

/// Compares a thumbnail with its main image at thumbnail size. Cameras either stretch the
/// image to the thumbnail's shape or letterbox it with bars; both mappings are tried and the
/// closer one counts.
pub(crate) fn compare(main: &DynamicImage, thumb: &DynamicImage) -> Option<Comparison> {
    let (tw, th) = (thumb.width(), thumb.height());
    let (mw, mh) = (main.width(), main.height());
    if tw < MIN_SIDE || th < MIN_SIDE || mw == 0 || mh == 0 {
        return None;
    }
    let t = thumb.to_luma8();
    let stretched = main.thumbnail_exact(tw, th).to_luma8();
    let mut best = measure(&stretched, &t);
    let (ma, ta) = (f64::from(mw) / f64::from(mh), f64::from(tw) / f64::from(th));
    if (ma - ta).abs() / ta > 0.02 {
        let (fw, fh) = if ma > ta {
            (tw, ((f64::from(tw) / ma).round() as u32).clamp(1, th))
        } else {
            (((f64::from(th) * ma).round() as u32).clamp(1, tw), th)
        };
        let (x, y) = ((tw - fw) / 2, (th - fh) / 2);
        if fw >= MIN_SIDE && fh >= MIN_SIDE {
            let fitted = main.thumbnail_exact(fw, fh).to_luma8();
            let inner = image::imageops::crop_imm(&t, x, y, fw, fh).to_image();
            let boxed = measure(&fitted, &inner);
            if boxed.mean < best.mean {
                best = boxed;
            }
        }
    }
    Some(best)
}

/// Adds a finding when the EXIF thumbnail of `bytes` differs from the image.
pub(crate) fn check(bytes: &[u8], part: &str, limits: &Limits, out: &mut Out) {
    let Some(thumb_bytes) = exif_thumbnail(bytes) else {
        return;
    };
    let thumb = match decode(&thumb_bytes, limits) {
        Ok(t) => t,
        Err(e) => {
            out.warn(super::lead(
                part,
                format!("EXIF thumbnail could not be decoded for comparison: {e}"),
            ));
            return;
        }
    };
    let main = match decode(bytes, limits) {
        Ok(m) => m,
        Err(e) => {
            out.warn(super::lead(
                part,
                format!("image could not be decoded to compare with its EXIF thumbnail: {e}"),
            ));
            return;
        }
    };
    if truncated_decode(&main, &thumb) {
        out.warn(super::lead(
            part,
            "image data is truncated or corrupt; its EXIF thumbnail was not compared".to_string(),
        ));
        return;
    }
    let Some(cmp) = compare(&main, &thumb) else {
        return;
    };
    if !cmp.differs() {
        return;
    }
    let (tw, th) = (thumb.width(), thumb.height());
    let text = format!("EXIF thumbnail {tw}×{th}");
    let why = super::lead(part, format!(
        "the EXIF thumbnail ({tw}×{th}) differs from the image (mean difference {:.0}/255, {:.0}% of pixels strongly): it may show what was cropped or edited",
        cmp.mean,
        cmp.strong * 100.0
    ));
    let mut f = hidden(
        "exif-thumbnail-mismatch",
        Severity::High,
        &text,
        Source::ImageMetadata,
        why,
    );
    f.part = Some(super::label(part, "EXIF thumbnail"));
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Luma, RgbImage};

    fn scene(w: u32, h: u32) -> DynamicImage {
        let img = RgbImage::from_fn(w, h, |x, y| {
            let v = (
                (x * 255 / w.max(1)) as u8,
                (y * 255 / h.max(1)) as u8,
                128u8,
            );
            image::Rgb([v.0, v.1, v.2])
        });
        DynamicImage::ImageRgb8(img)
    }

    #[test]
    fn same_picture_matches_in_both_mappings() {
        let main = scene(600, 400);
        let stretched = main.thumbnail_exact(160, 120);
        let cmp = compare(&main, &stretched).unwrap_or(Comparison {
            mean: 99.0,
            strong: 1.0,
        });
        assert!(!cmp.differs(), "{cmp:?}");
        // Letterboxed 3:2 into 4:3 with black bars.
        let mut boxed = GrayImage::from_pixel(160, 120, Luma([0]));
        let fitted = main.thumbnail_exact(160, 107).to_luma8();
        image::imageops::replace(&mut boxed, &fitted, 0, 6);
        let cmp = compare(&main, &DynamicImage::ImageLuma8(boxed)).unwrap_or(Comparison {
            mean: 99.0,
            strong: 1.0,
        });
        assert!(!cmp.differs(), "{cmp:?}");
    }

    #[test]
    fn grey_filled_tail_is_damage_not_an_edit() {
        let orig = scene(600, 400);
        let thumb = orig.thumbnail_exact(160, 120);
        let mut damaged = orig.to_rgb8();
        let mut blacked = orig.to_rgb8();
        for y in 200..400 {
            for x in 0..600 {
                damaged.put_pixel(x, y, image::Rgb([128, 128, 128]));
                blacked.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        assert!(truncated_decode(&DynamicImage::ImageRgb8(damaged), &thumb));
        assert!(!truncated_decode(&DynamicImage::ImageRgb8(blacked), &thumb));
        assert!(!truncated_decode(&orig, &thumb));
    }

    #[test]
    fn blacked_out_area_differs() {
        let orig = scene(600, 400);
        let thumb = orig.thumbnail_exact(160, 120);
        let mut edited = orig.to_rgb8();
        for y in 150..250 {
            for x in 200..400 {
                edited.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        let cmp = compare(&DynamicImage::ImageRgb8(edited), &thumb).unwrap_or(Comparison {
            mean: 0.0,
            strong: 0.0,
        });
        assert!(cmp.differs(), "{cmp:?}");
    }
}
