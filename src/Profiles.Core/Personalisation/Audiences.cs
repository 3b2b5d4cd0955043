using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using DynamicExpresso;
using DynamicExpresso.Exceptions;
using Profiles.Core.Consent;

namespace Profiles.Core.Personalisation;

/// <summary>What audience expressions read about one profile at one moment.</summary>
/// <param name="Computed">Every computed trait's value, in <see cref="ComputedTraits.Definitions"/> order.</param>
/// <param name="Consent">Every configured purpose's effective status, in name order.</param>
public sealed record AudienceFacts(AudienceValue[] Computed, long Touchpoints, long Online, long Offline, bool Identified, TraitBag Traits,
    IReadOnlyList<PurposeConsent> Consent);

/// <summary>An audience as configured: its expression and, for an audience that is for a purpose (an SMS campaign is
/// for marketing on sms), that purpose and optionally the channel, which must be granted for a profile to be a member.</summary>
public sealed record AudienceDefinition(string Name, string Expression, string? Purpose = null, string? Channel = null);

/// <summary>
/// The configured audiences, sorted by name, each an expression compiled once by DynamicExpresso (see
/// docs/PERSONALISATION.md for the choice) into a delegate over <see cref="AudienceFacts"/>.
/// </summary>
public sealed class Audiences
{
    public static readonly Audiences None = new([], ComputedTraits.None);

    /// <summary>Variables every expression may name besides the computed traits.</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "traits", "touchpoints", "online", "offline", "identified", "consent", "true", "false", "null",
    };

    private readonly (AudienceDefinition Definition, Func<AudienceFacts, bool> IsMember)[] _audiences;

    /// <param name="purposes">The purposes <c>consent.PURPOSE</c> may name.</param>
    /// <exception cref="AudienceExpressionException">An expression does not parse, names an unknown variable or purpose,
    /// or uses more than the operators of the audience language.</exception>
    public Audiences(IEnumerable<AudienceDefinition> definitions, ComputedTraits computed, ConsentPurposes? purposes = null)
    {
        var sorted = definitions.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        Definitions = sorted;
        var compiled = sorted.Select(d => (Definition: d, Compiled: CompileNamed(d.Name, d.Expression, computed, purposes ?? ConsentPurposes.None))).ToList();
        _audiences = [.. compiled.Select(c => (c.Definition, c.Compiled.IsMember))];
        ComputedTraitsUsed = compiled.SelectMany(c => c.Compiled.Uses).ToHashSet(StringComparer.Ordinal);
        UsesTraits = sorted.Any(d => d.Expression.Contains("traits", StringComparison.Ordinal));
    }

    /// <summary>The computed traits some expression reads: only their windows can move a profile in or out of an
    /// audience with the date alone.</summary>
    public IReadOnlySet<string> ComputedTraitsUsed { get; }

    /// <summary>The audiences, sorted by name.</summary>
    public IReadOnlyList<AudienceDefinition> Definitions { get; }

    /// <summary>Whether any expression may read <c>traits</c>, so facts need not build them otherwise.</summary>
    public bool UsesTraits { get; }

    /// <summary>The names of the audiences the profile belongs to, sorted: its expression holds and, for an audience
    /// that is for a purpose, the purpose is granted on its channel. An expression that fails on these facts (a bare
    /// <c>traits.NAME</c> holding no boolean) is false.</summary>
    public string[] MembershipOf(AudienceFacts facts)
    {
        var members = new List<string>(_audiences.Length);
        foreach (var (definition, isMember) in _audiences)
        {
            if (definition.Purpose is { } purpose && !PurposeConsent.IsGranted(facts.Consent, purpose, definition.Channel)) continue;
            bool member;
            try
            {
                member = isMember(facts);
            }
            catch (Exception e) when (e is InvalidCastException or Microsoft.CSharp.RuntimeBinder.RuntimeBinderException)
            {
                member = false;
            }
            if (member) members.Add(definition.Name);
        }
        return [.. members];
    }

    private static (Func<AudienceFacts, bool> IsMember, IEnumerable<string> Uses) CompileNamed(string name, string expression, ComputedTraits computed,
        ConsentPurposes purposes)
    {
        try
        {
            return Compile(expression, computed, purposes);
        }
        catch (AudienceExpressionException e)
        {
            throw new AudienceExpressionException(e.Message, name);
        }
    }

    private static (Func<AudienceFacts, bool> IsMember, IEnumerable<string> Uses) Compile(string expression, ComputedTraits computed, ConsentPurposes purposes)
    {
        var facts = Expression.Parameter(typeof(AudienceFacts), "facts");
        List<Variable> variables =
        [
            .. computed.Definitions.Select((d, i) => new Variable(d.Name, typeof(AudienceValue),
                Expression.ArrayIndex(Expression.Property(facts, nameof(AudienceFacts.Computed)), Expression.Constant(i)))),
            new("touchpoints", typeof(AudienceValue), Counted(facts, nameof(AudienceFacts.Touchpoints))),
            new("online", typeof(AudienceValue), Counted(facts, nameof(AudienceFacts.Online))),
            new("offline", typeof(AudienceValue), Counted(facts, nameof(AudienceFacts.Offline))),
            new("identified", typeof(bool), Expression.Property(facts, nameof(AudienceFacts.Identified))),
            new("traits", typeof(TraitBag), Expression.Property(facts, nameof(AudienceFacts.Traits))),
            new("consent", typeof(ConsentFlags), Expression.New(typeof(ConsentFlags).GetConstructor([typeof(IReadOnlyList<PurposeConsent>)])!,
                Expression.Property(facts, nameof(AudienceFacts.Consent)))),
        ];

        Lambda lambda;
        try
        {
            var interpreter = new Interpreter(InterpreterOptions.SystemKeywords).EnableAssignment(AssignmentOperators.None);
            lambda = interpreter.Parse(expression, typeof(bool), [.. variables.Select(v => new Parameter(v.Parameter))]);
        }
        catch (UnknownIdentifierException e)
        {
            throw new AudienceExpressionException($"'{e.Identifier}' (at character {e.Position + 1}) is not a computed trait, traits.NAME, consent.PURPOSE, touchpoints, online, offline or identified");
        }
        catch (ParseException e)
        {
            throw new AudienceExpressionException($"does not parse: {e.Message}");
        }
        if (computed.Definitions.FirstOrDefault(d => d.Kind == ComputedTraitKind.Affinity && lambda.UsedParameters.Any(p => p.Name == d.Name)) is { } affinity)
        {
            throw new AudienceExpressionException($"names {affinity.Name}, an affinity (values to scores), which compares to nothing");
        }
        var traits = variables.Single(v => v.Name == "traits").Parameter;
        var consent = variables.Single(v => v.Name == "consent").Parameter;
        if (AudienceLanguage.Problem(lambda.Expression, [traits, consent]) is { } problem) throw new AudienceExpressionException(problem);
        if (ConsentFlags.NamesRead(lambda.Expression, consent).FirstOrDefault(name => !purposes.IsConfigured(name)) is { } unknown)
        {
            throw new AudienceExpressionException(purposes.Names.Count == 0
                ? $"names consent.{unknown}, but no consent purpose is configured"
                : $"names consent.{unknown}, which is not a configured purpose ({string.Join(", ", purposes.Names)})");
        }
        var body = new ParameterReplacer(variables.ToDictionary(v => v.Parameter, v => v.Read)).Visit(lambda.Expression);
        var uses = lambda.UsedParameters.Select(p => p.Name).Where(name => computed.Names.Contains(name)).ToList();
        return (Expression.Lambda<Func<AudienceFacts, bool>>(body, facts).Compile(), uses);
    }

    /// <summary>A name an expression can use, and how its value is read from the facts.</summary>
    private sealed record Variable(string Name, Type Type, Expression Read)
    {
        public ParameterExpression Parameter { get; } = Expression.Parameter(Type, Name);
    }

    private static Expression Counted(ParameterExpression facts, string property) =>
        Expression.Convert(Expression.Property(facts, property), typeof(AudienceValue));

    /// <summary>Puts the read of each variable from the facts where the expression names it.</summary>
    private sealed class ParameterReplacer(Dictionary<ParameterExpression, Expression> reads) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => reads.GetValueOrDefault(node) ?? node;
    }
}

/// <summary>An audience expression the node cannot use; the message says why, <see cref="Audience"/> which one.</summary>
public sealed class AudienceExpressionException(string message, string? audience = null) : Exception(message)
{
    public string? Audience { get; } = audience;
}

/// <summary>
/// Keeps expressions to the audience language (docs/PERSONALISATION.md): <c>&amp;&amp; || ! == != &lt; &lt;= &gt; &gt;=</c>, parentheses,
/// numbers, double-quoted strings, true, false and the variables. DynamicExpresso parses a subset of C#; this
/// walks what it built and names the first construct outside the language (a method call, arithmetic, ...).
/// </summary>
internal static class AudienceLanguage
{
    private const string Allowed = "audience expressions allow only && || ! == != < <= > >=, parentheses, numbers, double-quoted strings, true, false and variables";

    /// <param name="bags">The variables whose members are read late: <c>traits</c> and <c>consent</c>.</param>
    public static string? Problem(Expression expression, ParameterExpression[] bags)
    {
        var check = new Check(bags);
        check.Visit(expression);
        return check.Found;
    }

    private sealed class Check(ParameterExpression[] bags) : ExpressionVisitor
    {
        public string? Found { get; private set; }

        public override Expression? Visit(Expression? node)
        {
            if (node is null || Found is not null) return node;
            var problem = node.NodeType switch
            {
                ExpressionType.AndAlso or ExpressionType.OrElse or ExpressionType.Not or ExpressionType.Parameter => null,
                ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                    or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual => null,
                ExpressionType.Negate or ExpressionType.UnaryPlus when ((UnaryExpression)node).Operand is ConstantExpression => null,
                ExpressionType.Convert when node.Type == typeof(AudienceValue) || node.Type == typeof(bool) || node.Type == typeof(object) => null,
                ExpressionType.Constant => ConstantProblem((ConstantExpression)node),
                ExpressionType.Invoke => DynamicProblem((InvocationExpression)node),
                ExpressionType.MemberAccess when node is MemberExpression { Expression: ConstantExpression { Value: CallSite }, Member.Name: "Target" } => null,
                ExpressionType.Call => $"calls {((MethodCallExpression)node).Method.Name}(), but {Allowed}",
                _ => $"uses {Describe(node)}, but {Allowed}",
            };
            if (problem is not null)
            {
                Found = problem;
                return node;
            }
            return base.Visit(node);
        }

        private static string? ConstantProblem(ConstantExpression constant) => constant.Value switch
        {
            null => "uses null, but a comparison with a missing value is false already: compare with a value",
            string or bool or int or long or double or decimal or float or uint or ulong or CallSite => null,
            var other => $"uses a {other.GetType().Name} literal, but {Allowed}",
        };

        // traits.NAME and consent.PURPOSE are read late (DynamicExpresso's own binder, known by its type name only) and
        // compared through the C# runtime binder: reading a member of traits or consent itself, comparing and negating
        // are allowed.
        private string? DynamicProblem(InvocationExpression invocation)
        {
            if (invocation.Arguments.FirstOrDefault() is not ConstantExpression { Value: CallSite site }) return $"uses an invocation, but {Allowed}";
            return site.Binder switch
            {
                { } read when read.GetType().Name == "LateGetMemberCallSiteBinder" =>
                    invocation.Arguments.Count == 2 && bags.Contains(invocation.Arguments[1]) ? null : $"reads a member of traits.NAME or consent.PURPOSE, but {Allowed}",
                System.Dynamic.BinaryOperationBinder binary => binary.Operation is ExpressionType.Equal or ExpressionType.NotEqual
                    or ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual
                    or ExpressionType.AndAlso or ExpressionType.OrElse or ExpressionType.And or ExpressionType.Or
                    ? null
                    : $"uses {binary.Operation} on traits.NAME, but {Allowed}",
                System.Dynamic.UnaryOperationBinder unary when unary.Operation is ExpressionType.Not or ExpressionType.IsTrue or ExpressionType.IsFalse => null,
                System.Dynamic.ConvertBinder convert when convert.Type == typeof(bool) => null,
                _ => $"calls a method on traits.NAME, but {Allowed}",
            };
        }

        private static string Describe(Expression node) => node.NodeType switch
        {
            ExpressionType.Add or ExpressionType.Subtract or ExpressionType.Multiply or ExpressionType.Divide or ExpressionType.Modulo => "arithmetic",
            ExpressionType.Conditional => "a conditional (?:)",
            ExpressionType.MemberAccess => $"a member access (.{((MemberExpression)node).Member.Name})",
            ExpressionType.Convert or ExpressionType.TypeAs or ExpressionType.TypeIs => "a type conversion",
            _ => node.NodeType.ToString(),
        };
    }
}
