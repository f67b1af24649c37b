namespace MLNetExplain.Datasets;

/// <summary>Which half of a dataset with a fixed train/test partition to load.</summary>
public enum DatasetSplit
{
    /// <summary>The training images (60,000 for MNIST and Fashion-MNIST; 50,000 for CIFAR).</summary>
    Train,

    /// <summary>The held-out test images (10,000 for MNIST, Fashion-MNIST and CIFAR).</summary>
    Test,
}
