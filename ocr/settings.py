"""Reader settings (识读阈值): every threshold of the reader in one validated object."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReaderSettings(BaseModel):
    """Thresholds and limits of the reader; the defaults were tuned on the accuracy harness (bench/read.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # intake limits
    max_file_bytes: int = Field(default=500 * 1024 * 1024, gt=0, description="largest scan file accepted")
    max_pages: int = Field(default=2000, gt=0, description="most pages in one file")
    max_pixels: int = Field(
        default=60_000_000, gt=0, description="most pixels in one page image (decompression bombs)"
    )
    min_dpi: float = Field(default=100.0, gt=0, description="coarser scans are refused")
    max_render_dpi: float = Field(
        default=300.0, gt=0, description="PDF pages are rasterised at most this fine"
    )

    opencv_threads: int = Field(
        default=1, ge=0, description="OpenCV threads per reader (pages are spread over cores by the caller)"
    )

    # alignment
    fiducial_search_mm: float = Field(
        default=16.0, gt=0, description="radius searched around a predicted fiducial"
    )
    max_fit_error_mm: float = Field(
        default=1.2, gt=0, description="largest disagreement allowed between fiducials and code"
    )
    rule_tolerance_mm: float = Field(
        default=0.6, gt=0, description="how far a printed table rule may sit from where the fit puts it"
    )
    rule_hit_fraction: float = Field(
        default=0.65,
        gt=0,
        le=1,
        description="share of rule points that must be found in every quarter of the page",
    )
    rules_aligned_hit_fraction: float = Field(
        default=0.85,
        gt=0,
        le=1,
        description="the same share, for a page aligned by its table because fiducials were lost",
    )
    rules_aligned_span_mm: float = Field(
        default=150.0,
        gt=0,
        description="how far apart the code and the fiducials left must be to start a fit by the table",
    )
    fiducial_size_tolerance: float = Field(
        default=0.35, gt=0, description="relative size tolerance of a fiducial square"
    )

    # bubbles (darkness 0 = paper, 1 = printed black)
    mark_mean: float = Field(
        default=0.30, description="darkness above the blank level that makes a bubble clearly filled"
    )
    weak_mean: float = Field(
        default=0.18, description="darkness above the blank level of a weak mark (light pencil, partial)"
    )
    stroke_fraction: float = Field(
        default=0.15, description="share of ink-dark pixels that makes a tick, cross or scribble a mark"
    )
    dark_pixel: float = Field(default=0.5, description="darkness of a pixel counted as ink")
    faint_mean: float = Field(
        default=0.07, description="darkness above the blank level that counts as an erased mark"
    )
    disc_fraction: float = Field(default=0.78, description="share of the bubble radius measured")

    # handwriting and seals
    ink_pixel: float = Field(
        default=0.22, description="darkness of a pixel counted as handwriting (pencil included)"
    )
    faint_ink_pixel: float = Field(
        default=0.08, description="lowest darkness of a pixel counted as faint handwriting"
    )
    faint_blank_level: float = Field(
        default=0.18,
        gt=0,
        description="a box whose paper grain pushes the faint level above this is never called blank (a pale hand, ~0.2, would hide)",
    )
    stroke_mm: float = Field(
        default=1.5, gt=0, description="a mark this long or longer is a stroke; shorter ones are specks"
    )
    faded_print_level: float = Field(
        default=0.2,
        gt=0,
        description="a page whose printed text is paler than this (fair scans 0.4–0.7) does not vouch for its empty boxes",
    )
    dirty_page_writing_mm: float = Field(
        default=2.0,
        gt=0,
        description="on a page with streaks, writing needs a mark this long (a digit in a 7 mm box is taller); "
        "a dirty drum's toner clumps are 1–2 mm",
    )
    ink_fraction: float = Field(
        default=0.001, description="share of ink pixels that means something is written"
    )
    ink_written_mm2: float = Field(
        default=1.0, gt=0, description="this much stroke ink (mm²) is writing, however wide the box"
    )
    ink_blank_mm2: float = Field(
        default=0.3, gt=0, description="a blank box holds no more ink than this (mm²), however wide"
    )
    ink_review_band: float = Field(
        default=0.5, description="below ink_fraction × (1 + band) the answer goes to review"
    )
    streak_darkness: float = Field(
        default=0.2, description="darkness of open paper (at 2 px/mm) counted as dirt of a streak"
    )
    streak_band_mm: float = Field(default=3.0, gt=0, description="width of the bands searched for streaks")
    streak_drift_mm: float = Field(
        default=3.0,
        ge=0,
        description="how far a streak may wander across the page (a skewed scan slants a printer's streak)",
    )
    streak_sections: int = Field(
        default=8, ge=2, description="the page's length is cut into this many sections"
    )
    streak_min_sections: int = Field(
        default=2, ge=1, description="a band with dirt in this many sections is a streak"
    )
    streak_dirt_share: float = Field(
        default=0.04, gt=0, le=1, description="share of a section's open paper that must be dirt"
    )
    seal_grey_fraction: float = Field(
        default=0.02, description="on a page without colour, share of grey in a seal box that asks for review"
    )
    seal_red_fraction: float = Field(
        default=0.004, description="share of red pixels that means a seal is present"
    )
    seal_faint_red: float = Field(
        default=4.0,
        gt=0,
        description="redness (red over green and blue, 0–255, averaged over 1 mm) above the paper's own tint of a washed-out seal",
    )
    seal_faint_fraction: float = Field(
        default=0.005,
        gt=0,
        description="share of the box tinted that faintly red that asks for review instead of 'no seal'",
    )
    seal_review_band: float = Field(
        default=0.5, description="between (1 - band) × and the threshold the seal goes to review"
    )

    # printed-name check on prefilled sheets
    name_check: bool = Field(default=True, description="read back the printed name on prefilled sheets")
