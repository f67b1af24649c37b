using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

/// <summary>The grid is checked on its written PNG, decoded again.</summary>
public class ImageGridTests
{
    [Fact]
    public void SavedGridHasCellsLabelsAndWhiteBackground()
    {
        // 2x2 cells of 3 (wide) x 2 (high), magnified 4x. Cell (r, c) is filled with one known colour, except
        // pixel (2, 1) of cell (1, 1), which is a marker.
        var grid = new ImageGrid(rows: 2, columns: 2, cellWidth: 3, cellHeight: 2, scale: 4);
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                var cell = new RasterImage(3, 2, 3);
                for (int p = 0; p < 6; p++)
                {
                    cell.Pixels[3 * p] = (byte)(100 + 40 * r);
                    cell.Pixels[3 * p + 1] = (byte)(20 + 60 * c);
                    cell.Pixels[3 * p + 2] = 7;
                }

                grid.SetCell(r, c, cell);
            }
        }

        var marker = new RasterImage(3, 2, 1);
        marker.Pixels.AsSpan().Fill(200);
        marker.Pixels[1 * 3 + 2] = 0;
        grid.SetCell(1, 1, marker);
        grid.SetColumnLabel(0, "T");
        grid.SetColumnLabel(1, "IG");
        grid.SetRowLabel(0, "L1");

        using var dir = new TempDirectory();
        string path = dir.File("grid.png");
        grid.SavePng(path);
        RasterImage page = ImageCodec.Decode(path);

        Assert.Equal((grid.Width, grid.Height, 3), (page.Width, page.Height, page.Channels));

        // Background: the top-left corner is margin.
        Assert.Equal([255, 255, 255], page.GetPixel(0, 0).ToArray());

        // Cells: every magnified pixel carries its source colour.
        (int x0, int y0) = grid.CellOrigin(0, 1);
        Assert.Equal([100, 80, 7], page.GetPixel(x0, y0).ToArray());
        Assert.Equal([100, 80, 7], page.GetPixel(x0 + 11, y0 + 7).ToArray());
        (int x1, int y1) = grid.CellOrigin(1, 1);
        Assert.Equal([200, 200, 200], page.GetPixel(x1 + 7, y1 + 3).ToArray()); // source pixel (1, 0)
        Assert.Equal([0, 0, 0], page.GetPixel(x1 + 8, y1 + 4).ToArray());       // source pixel (2, 1): the marker
        Assert.Equal([0, 0, 0], page.GetPixel(x1 + 11, y1 + 7).ToArray());
        Assert.Equal([255, 255, 255], page.GetPixel(x1 + 12, y1 + 7).ToArray()); // just right of the cell

        // Labels: the top-left font pixel of 'T' and of 'L' is inked; the second column of 'T' is blank below the bar.
        Assert.True(BitmapFont.IsInked('T', 0, 0) && BitmapFont.IsInked('L', 0, 0));
        (int tx, int ty) = grid.ColumnLabelOrigin(0);
        Assert.Equal([0, 0, 0], page.GetPixel(tx, ty).ToArray());
        Assert.Equal([0, 0, 0], page.GetPixel(tx + 2 * grid.FontScale + 1, ty + 6 * grid.FontScale + 1).ToArray()); // T's stem
        Assert.Equal([255, 255, 255], page.GetPixel(tx, ty + 3 * grid.FontScale).ToArray());
        (int lx, int ly) = grid.RowLabelOrigin(0);
        Assert.Equal([0, 0, 0], page.GetPixel(lx, ly).ToArray());
        Assert.True(lx + BitmapFont.MeasureWidth("L1", grid.FontScale) < grid.CellOrigin(0, 0).X);
    }

    [Fact]
    public void WithoutLabelsCellsStartAtThePadding()
    {
        var grid = new ImageGrid(1, 3, 2, 2) { Padding = 1 };
        Assert.Equal((1, 1), grid.CellOrigin(0, 0));
        Assert.Equal((7, 1), grid.CellOrigin(0, 2));
        Assert.Equal((10, 4), (grid.Width, grid.Height));
    }

    [Fact]
    public void WrongCellSizeIsRejected()
    {
        var grid = new ImageGrid(1, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => grid.SetCell(0, 0, new RasterImage(3, 4, 3)));
    }

    [Fact]
    public void EveryPrintableCharacterHasAGlyphExceptSpace()
    {
        for (char c = '!'; c <= '~'; c++)
        {
            bool inked = false;
            for (int y = 0; y < BitmapFont.GlyphHeight; y++)
            {
                for (int x = 0; x < BitmapFont.GlyphWidth; x++)
                {
                    inked |= BitmapFont.IsInked(c, x, y);
                }
            }

            Assert.True(inked, $"'{c}' has no pixels.");
        }

        Assert.False(BitmapFont.IsInked(' ', 2, 3));
    }
}
