package browsertest

import (
	"bytes"
	"fmt"
	"image/png"
)

// A screenshot shows real content when enough of it differs from its
// background and it has more colours than a lone spinner or a line of
// "loading…" text would give.
const (
	minContentShare = 0.02
	minColours      = 16
)

// NonBlank reports, as an error, a PNG that shows next to nothing: all but a
// sliver of it in the background colour (its most common colour), or too few
// colours.
func NonBlank(pngData []byte) error {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	counts := map[[3]uint32]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			counts[[3]uint32{r >> 8, g >> 8, b >> 8}]++
		}
	}
	background := 0
	for _, n := range counts {
		background = max(background, n)
	}
	total := bounds.Dx() * bounds.Dy()
	if total == 0 {
		return fmt.Errorf("screenshot is empty")
	}
	share := float64(total-background) / float64(total)
	if share < minContentShare || len(counts) < minColours {
		return fmt.Errorf("screenshot looks blank: %.2f%% of its pixels differ from the background, %d colours (want ≥ %.0f%%, ≥ %d)",
			100*share, len(counts), 100*minContentShare, minColours)
	}
	return nil
}
