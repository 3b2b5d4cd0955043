using System.Dynamic;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Profiles.Core.Consent;

namespace Profiles.Core.Personalisation;

/// <summary><c>consent</c> in an audience expression: <c>consent.PURPOSE</c> is true while the purpose-wide status is
/// granted, a boolean, so it is a condition of its own (<c>consent.marketing &amp;&amp; orders &gt; 0</c>). Read late, like
/// <c>traits.NAME</c>; the purposes an expression names are checked against the configured ones at start-up
/// (<see cref="NamesRead"/>).</summary>
public sealed class ConsentFlags : DynamicObject
{
    private readonly IReadOnlyList<PurposeConsent> _consent;

    // Set on the probe that finds the purposes an expression names: it records them and answers false.
    private readonly List<string>? _asked;

    public ConsentFlags(IReadOnlyList<PurposeConsent> consent) => _consent = consent;

    private ConsentFlags(List<string> asked) => (_consent, _asked) = ([], asked);

    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        _asked?.Add(binder.Name);
        result = _asked is not null ? false : null;
        foreach (var status in _consent)
        {
            if (status.Purpose != binder.Name) continue;
            result = status.Granted;
            return true;
        }
        return _asked is not null;
    }

    /// <summary>The purposes <paramref name="expression"/> reads as <c>consent.PURPOSE</c>: each late member read of
    /// <paramref name="consent"/> is run once against a probe that records the name asked, so no library internals are read.</summary>
    public static IReadOnlyList<string> NamesRead(Expression expression, ParameterExpression consent)
    {
        var reads = new MemberReads(consent);
        reads.Visit(expression);
        var asked = new List<string>();
        var probe = new ConsentFlags(asked);
        foreach (var read in reads.Found) Expression.Lambda(read, consent).Compile().DynamicInvoke(probe);
        return asked;
    }

    private sealed class MemberReads(ParameterExpression consent) : ExpressionVisitor
    {
        public List<InvocationExpression> Found { get; } = [];

        protected override Expression VisitInvocation(InvocationExpression node)
        {
            if (node.Arguments is [ConstantExpression { Value: CallSite }, var target] && target == consent) Found.Add(node);
            return base.VisitInvocation(node);
        }
    }
}
