namespace MLNetExplain.ML.Data;

/// <summary>One row of <see cref="ImageDatasetCatalog.LoadImageFolder"/>: the file and its raw key label (class + 1).</summary>
internal sealed class ImageFolderRow
{
    public string ImagePath { get; set; } = "";

    public uint Label { get; set; }
}
