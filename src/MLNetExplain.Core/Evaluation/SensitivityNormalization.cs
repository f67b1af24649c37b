namespace MLNetExplain.Evaluation;

/// <summary>What max-sensitivity divides ‖a(x) - a(x + δ)‖_F by.</summary>
public enum SensitivityNormalization
{
    /// <summary>‖x‖_F, the input's norm: Quantus's <c>norm_denominator=fro_norm</c> applied to x (its default).</summary>
    Input,

    /// <summary>‖a(x)‖_F, the explanation's norm: the relative change of the explanation.</summary>
    Explanation,

    /// <summary>Nothing: Yeh et al.'s definition and Captum's <c>sensitivity_max</c>.</summary>
    None,
}
