namespace MLNetExplain.ML.Data;

/// <summary>One row of <see cref="ImageDatasetCatalog.LoadImageFolder"/>: the file and its 0-based class index.</summary>
internal sealed class ImageFolderRow
{
    public string ImagePath { get; set; } = "";

    public uint Label { get; set; }
}
