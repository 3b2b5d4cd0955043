using System.Dynamic;

namespace Profiles.Core.Personalisation;

/// <summary>
/// A value an audience expression compares: a number, a text, a boolean, or nothing (null). Its operators give
/// the audience rule that a comparison with a null operand is false, <c>!=</c> included, which C#'s lifted
/// operators do not. Literals convert to it implicitly, so <c>orders &gt;= 3</c> compares two of them.
/// </summary>
public readonly struct AudienceValue
{
    private readonly object? _value;

    private AudienceValue(object? value) => _value = value;

    public static AudienceValue Null => default;

    public static AudienceValue From(object? comparable) => new(comparable switch
    {
        null or string or bool or double => comparable,
        IConvertible number => number.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    });

    public static implicit operator AudienceValue(int value) => new((double)value);

    public static implicit operator AudienceValue(long value) => new((double)value);

    public static implicit operator AudienceValue(double value) => new(value);

    public static implicit operator AudienceValue(decimal value) => new((double)value);

    public static implicit operator AudienceValue(string value) => new(value);

    public static implicit operator AudienceValue(bool value) => new(value);

    public static bool operator ==(AudienceValue a, AudienceValue b) => a._value is not null && b._value is not null && a._value.Equals(b._value);

    public static bool operator !=(AudienceValue a, AudienceValue b) => a._value is not null && b._value is not null && !a._value.Equals(b._value);

    public static bool operator <(AudienceValue a, AudienceValue b) => Compare(a, b) < 0;

    public static bool operator <=(AudienceValue a, AudienceValue b) => Compare(a, b) <= 0;

    public static bool operator >(AudienceValue a, AudienceValue b) => Compare(a, b) > 0;

    public static bool operator >=(AudienceValue a, AudienceValue b) => Compare(a, b) >= 0;

    /// <summary>Numbers by value, texts by ordinal order; anything else does not compare (null).</summary>
    private static int? Compare(AudienceValue a, AudienceValue b) => (a._value, b._value) switch
    {
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => null,
    };

    public override bool Equals(object? obj) => obj is AudienceValue other && Equals(_value, other._value);

    public override int GetHashCode() => _value?.GetHashCode() ?? 0;

    public override string ToString() => _value?.ToString() ?? "null";
}

/// <summary><c>traits</c> in an expression: <c>traits.NAME</c> is the plain trait, absent is null. A boolean trait
/// is handed over as a bool, so a bare <c>traits.NAME</c> or <c>!traits.NAME</c> is a condition; on anything else
/// (a missing trait included) such a bare condition fails, and the audience does not hold.</summary>
public sealed class TraitBag(IReadOnlyDictionary<string, object?> traits) : DynamicObject
{
    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        result = traits.GetValueOrDefault(binder.Name) switch
        {
            bool flag => (object)flag,
            var value => AudienceValue.From(value),
        };
        return true;
    }
}
