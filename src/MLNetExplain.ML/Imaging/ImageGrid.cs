using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// Lays equally sized images out in rows and columns on a white page, with optional row labels on the left and
/// column labels on top, e.g. one row per input image and one column per attribution method.
/// </summary>
/// <remarks>
/// Cells are magnified by an integer <see cref="Scale"/> with nearest-neighbour sampling, so every source pixel stays
/// a crisp square: smoothing would invent values that are in neither the image nor the attribution.
/// Layout, all in output pixels: a <see cref="Padding"/> margin around everything and between cells; the row label
/// column is as wide as the widest row label; the column label band is one line of text high. Labels are drawn in
/// black with SkiaSharp's default typeface (on Linux, what fontconfig resolves; DejaVu Sans on Debian).
/// </remarks>
public sealed class ImageGrid
{
    private readonly byte[]?[,] _cells;
    private readonly string?[] _rowLabels;
    private readonly string?[] _columnLabels;

    /// <summary>An empty grid.</summary>
    /// <param name="rows">Rows of cells.</param>
    /// <param name="columns">Columns of cells.</param>
    /// <param name="cellWidth">Width of each cell image, before magnification.</param>
    /// <param name="cellHeight">Height of each cell image, before magnification.</param>
    /// <param name="scale">Integer magnification of the cells. Default 1.</param>
    public ImageGrid(int rows, int columns, int cellWidth, int cellHeight, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        (Rows, Columns, CellWidth, CellHeight, Scale) = (rows, columns, cellWidth, cellHeight, scale);
        _cells = new byte[]?[rows, columns];
        _rowLabels = new string?[rows];
        _columnLabels = new string?[columns];
    }

    /// <summary>Rows of cells.</summary>
    public int Rows { get; }

    /// <summary>Columns of cells.</summary>
    public int Columns { get; }

    /// <summary>Width of each cell image before magnification.</summary>
    public int CellWidth { get; }

    /// <summary>Height of each cell image before magnification.</summary>
    public int CellHeight { get; }

    /// <summary>Integer magnification of the cells.</summary>
    public int Scale { get; }

    /// <summary>Blank pixels around the page and between cells and labels. Default 4.</summary>
    public int Padding { get; init; } = 4;

    /// <summary>Label text size in pixels. Default 14.</summary>
    public float FontSize { get; init; } = 14f;

    /// <summary>Puts a copy of an image in a cell.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="column">0-based column.</param>
    /// <param name="image">A <see cref="CellWidth"/> x <see cref="CellHeight"/> image; its alpha is ignored.</param>
    public void SetCell(int row, int column, SKBitmap image)
    {
        CheckIndex(row, Rows, nameof(row));
        CheckIndex(column, Columns, nameof(column));
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != CellWidth || image.Height != CellHeight)
        {
            throw new ArgumentException(
                $"Cell ({row}, {column}) must be {CellWidth}x{CellHeight}, but the image is {image.Width}x{image.Height}.",
                nameof(image));
        }

        using SKBitmap? converted = PlanarPixels.IsBgra(image) ? null : PlanarPixels.ToBgra(image);
        SKBitmap source = converted ?? image;
        var bgra = new byte[4 * CellWidth * CellHeight];
        for (int y = 0; y < CellHeight; y++)
        {
            PlanarPixels.PixelBytes(source).Slice(y * source.RowBytes, 4 * CellWidth).CopyTo(bgra.AsSpan(4 * CellWidth * y));
        }

        _cells[row, column] = bgra;
    }

    /// <summary>Sets the label drawn to the left of a row.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="label">One line of text; null removes the label.</param>
    public void SetRowLabel(int row, string? label)
    {
        CheckIndex(row, Rows, nameof(row));
        _rowLabels[row] = label;
    }

    /// <summary>Sets the label drawn above a column, centred when it fits and clipped to the column when not.</summary>
    /// <param name="column">0-based column.</param>
    /// <param name="label">One line of text; null removes the label.</param>
    public void SetColumnLabel(int column, string? label)
    {
        CheckIndex(column, Columns, nameof(column));
        _columnLabels[column] = label;
    }

    /// <summary>Width of the finished page in pixels.</summary>
    public int Width => Padding + RowLabelWidth + Columns * (CellWidth * Scale + Padding);

    /// <summary>Height of the finished page in pixels.</summary>
    public int Height => Padding + ColumnLabelHeight + Rows * (CellHeight * Scale + Padding);

    /// <summary>Top-left corner, in page pixels, of a cell's magnified image.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="column">0-based column.</param>
    public SKPointI CellOrigin(int row, int column)
    {
        CheckIndex(row, Rows, nameof(row));
        CheckIndex(column, Columns, nameof(column));
        return new SKPointI(
            Padding + RowLabelWidth + column * (CellWidth * Scale + Padding),
            Padding + ColumnLabelHeight + row * (CellHeight * Scale + Padding));
    }

    /// <summary>The page area a row's label is drawn in (empty when no row has a label): the label column,
    /// one line high, centred on the row.</summary>
    /// <param name="row">0-based row.</param>
    public SKRectI RowLabelBounds(int row)
    {
        int top = CellOrigin(row, 0).Y + (CellHeight * Scale - LineHeight) / 2;
        return SKRectI.Create(Padding, top, Math.Max(0, RowLabelWidth - Padding), LineHeight);
    }

    /// <summary>The page area a column's label is drawn in (empty when no column has a label): above the
    /// column's cells and as wide as them.</summary>
    /// <param name="column">0-based column.</param>
    public SKRectI ColumnLabelBounds(int column)
    {
        int left = CellOrigin(0, column).X;
        return SKRectI.Create(left, Padding, CellWidth * Scale, ColumnLabelHeight == 0 ? 0 : LineHeight);
    }

    /// <summary>Draws the page: white background, magnified cells (empty cells stay white) and labels.</summary>
    /// <returns>An opaque 32-bit BGRA bitmap of <see cref="Width"/> x <see cref="Height"/>; the caller disposes it.</returns>
    public SKBitmap Render()
    {
        SKBitmap page = PlanarPixels.NewBitmap(Width, Height);
        Span<byte> pixels = PlanarPixels.PixelBytes(page);
        pixels.Fill(255);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                if (_cells[r, c] is { } cell)
                {
                    Blit(pixels, page.RowBytes, cell, CellOrigin(r, c));
                }
            }
        }

        using var canvas = new SKCanvas(page);
        using SKFont font = NewFont();
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        float baseline = -font.Metrics.Ascent;
        for (int r = 0; r < Rows; r++)
        {
            if (_rowLabels[r] is { Length: > 0 } label)
            {
                SKRectI bounds = RowLabelBounds(r);
                DrawClipped(canvas, label, bounds, bounds.Left, bounds.Top + baseline, font, ink);
            }
        }

        for (int c = 0; c < Columns; c++)
        {
            if (_columnLabels[c] is { Length: > 0 } label)
            {
                SKRectI bounds = ColumnLabelBounds(c);
                float textWidth = LabelFont.Width(font, label);
                float x = textWidth <= bounds.Width ? bounds.Left + (bounds.Width - textWidth) / 2 : bounds.Left;
                DrawClipped(canvas, label, bounds, x, bounds.Top + baseline, font, ink);
            }
        }

        canvas.Flush();
        return page;
    }

    /// <summary>Renders the page and writes it as a PNG file, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    public void SavePng(string path)
    {
        using SKBitmap page = Render();
        PngFile.Save(page, path);
    }

    private int LineHeight
    {
        get
        {
            using SKFont font = NewFont();
            return LabelFont.LineHeight(font);
        }
    }

    private int RowLabelWidth
    {
        get
        {
            if (_rowLabels.All(string.IsNullOrEmpty))
            {
                return 0;
            }

            using SKFont font = NewFont();
            float widest = _rowLabels.Max(l => string.IsNullOrEmpty(l) ? 0 : LabelFont.Width(font, l));
            return (int)Math.Ceiling(widest) + Padding;
        }
    }

    private int ColumnLabelHeight => _columnLabels.Any(l => !string.IsNullOrEmpty(l)) ? LineHeight + Padding : 0;

    private SKFont NewFont() => LabelFont.Create(FontSize);

    private static void DrawClipped(SKCanvas canvas, string text, SKRectI bounds, float x, float y, SKFont font, SKPaint paint)
    {
        canvas.Save();
        canvas.ClipRect(bounds);
        canvas.DrawText(text, x, y, font, paint);
        canvas.Restore();
    }

    private void Blit(Span<byte> page, int pageRowBytes, byte[] cell, SKPointI origin)
    {
        for (int y = 0; y < CellHeight * Scale; y++)
        {
            int sourceRow = y / Scale * CellWidth;
            int targetRow = (origin.Y + y) * pageRowBytes + 4 * origin.X;
            for (int x = 0; x < CellWidth * Scale; x++)
            {
                int source = 4 * (sourceRow + x / Scale);
                int target = targetRow + 4 * x;
                page[target] = cell[source];
                page[target + 1] = cell[source + 1];
                page[target + 2] = cell[source + 2];
                page[target + 3] = 255;
            }
        }
    }

    private static void CheckIndex(int index, int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count, name);
    }
}
