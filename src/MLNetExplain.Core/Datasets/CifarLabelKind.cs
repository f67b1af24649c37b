namespace MLNetExplain.Datasets;

/// <summary>Which of the two labels each CIFAR-100 record carries to use.</summary>
public enum CifarLabelKind
{
    /// <summary>The 100 fine classes (e.g. "maple_tree").</summary>
    Fine,

    /// <summary>The 20 coarse superclasses (e.g. "trees").</summary>
    Coarse,
}
