using MLNetExplain.ML.Imaging;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

/// <summary>The grid is checked on its written PNG, decoded again.</summary>
public class ImageGridTests
{
    private static SKBitmap Filled(int width, int height, SKColor colour)
    {
        var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour);
        return bitmap;
    }

    private static int Inked(SKBitmap page, SKRectI area)
    {
        int count = 0;
        for (int y = area.Top; y < area.Bottom; y++)
        {
            for (int x = area.Left; x < area.Right; x++)
            {
                count += page.GetPixel(x, y) == SKColors.White ? 0 : 1;
            }
        }

        return count;
    }

    [Fact]
    public void SavedGridHasMagnifiedCellsAndWhiteBackground()
    {
        // 2x2 cells of 3 (wide) x 2 (high), magnified 4x, each a known colour; cell (1, 1) has a marker pixel.
        var grid = new ImageGrid(rows: 2, columns: 2, cellWidth: 3, cellHeight: 2, scale: 4);
        for (int r = 0; r < 2; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                using SKBitmap cell = Filled(3, 2, new SKColor((byte)(100 + 40 * r), (byte)(20 + 60 * c), 7));
                if (r == 1 && c == 1)
                {
                    cell.SetPixel(2, 1, SKColors.Black);
                }

                grid.SetCell(r, c, cell);
            }
        }

        using var dir = new TempDirectory();
        string path = dir.File("grid.png");
        grid.SavePng(path);
        using SKBitmap page = PngFile.Load(path);

        Assert.Equal((grid.Width, grid.Height), (page.Width, page.Height));
        Assert.Equal((4 + 2 * (12 + 4), 4 + 2 * (8 + 4)), (grid.Width, grid.Height)); // no labels: padding and cells only
        Assert.Equal(SKColors.White, page.GetPixel(0, 0));
        SKPointI a = grid.CellOrigin(0, 1);
        Assert.Equal(new SKColor(100, 80, 7), page.GetPixel(a.X, a.Y));
        Assert.Equal(new SKColor(100, 80, 7), page.GetPixel(a.X + 11, a.Y + 7));
        SKPointI b = grid.CellOrigin(1, 1);
        Assert.Equal(new SKColor(140, 80, 7), page.GetPixel(b.X + 7, b.Y + 3)); // source pixel (1, 0)
        Assert.Equal(SKColors.Black, page.GetPixel(b.X + 8, b.Y + 4));          // source pixel (2, 1): the marker
        Assert.Equal(SKColors.Black, page.GetPixel(b.X + 11, b.Y + 7));
        Assert.Equal(SKColors.White, page.GetPixel(b.X + 12, b.Y + 7));          // just right of the cell
        Assert.Equal(0, Inked(page, SKRectI.Create(0, 0, page.Width, a.Y)));     // nothing above the cells
    }

    [Fact]
    public void LabelsAreDrawnInTheirAreasAndWidenThePage()
    {
        var plain = new ImageGrid(2, 2, 8, 8, scale: 2);
        var grid = new ImageGrid(2, 2, 8, 8, scale: 2);
        grid.SetRowLabel(0, "Saliency");
        grid.SetColumnLabel(1, "IG");
        Assert.True(grid.Width > plain.Width, "Row labels need a column of their own.");
        Assert.True(grid.Height > plain.Height, "Column labels need a band of their own.");

        using SKBitmap page = grid.Render();
        Assert.Equal((grid.Width, grid.Height), (page.Width, page.Height));
        SKRectI rowLabel = grid.RowLabelBounds(0), columnLabel = grid.ColumnLabelBounds(1);
        Assert.True(Inked(page, rowLabel) > 20, "The row label left no ink.");
        Assert.True(Inked(page, columnLabel) > 10, "The column label left no ink.");

        // Unlabelled row and column, and the space around labels, stay white (cells are empty).
        Assert.Equal(0, Inked(page, grid.RowLabelBounds(1)));
        Assert.Equal(0, Inked(page, grid.ColumnLabelBounds(0)));
        SKPointI cell = grid.CellOrigin(0, 0);
        Assert.Equal(0, Inked(page, SKRectI.Create(cell.X, cell.Y, 16, 16)));
    }

    [Fact]
    public void WrongCellSizeAndIndexAreRejected()
    {
        var grid = new ImageGrid(1, 1, 4, 4);
        using SKBitmap wrong = Filled(3, 4, SKColors.Red);
        var e = Assert.Throws<ArgumentException>(() => grid.SetCell(0, 0, wrong));
        Assert.Contains("4x4", e.Message);
        using SKBitmap right = Filled(4, 4, SKColors.Red);
        Assert.Throws<ArgumentOutOfRangeException>(() => grid.SetCell(1, 0, right));
    }
}
