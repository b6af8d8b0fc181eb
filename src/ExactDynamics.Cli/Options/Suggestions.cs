using System.CommandLine;
using System.CommandLine.Parsing;

namespace ExactDynamics.Cli.Options;

/// <summary>"Did you mean …?" for a mistyped command or option (closest by edit distance, or by prefix).</summary>
internal static class Suggestions
{
    /// <summary>
    /// One sentence about the first token the parser could not place, when it looks like a mistyped option
    /// (<c>Unknown option '--batc'. Did you mean '--batch'?</c>) or command; null when there is no such token.
    /// </summary>
    public static string? ForUnmatched(ParseResult parse, Command root)
    {
        if (parse.UnmatchedTokens.Count == 0) return null;
        var token = parse.UnmatchedTokens[0];
        var command = parse.CommandResult.Command;
        if (token.Length > 1 && token[0] == '-' && !double.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            var name = token.Split('=', 2)[0];
            var candidates = OptionNames(parse.CommandResult).ToArray();
            return Closest(name, candidates) is string best
                ? $"Unknown option '{name}'. Did you mean '{best}'?"
                : $"Unknown option '{name}'; {(command == root ? "exactdyn" : command.Name)} takes {string.Join(", ", candidates.Where(c => c.StartsWith("--", StringComparison.Ordinal)))}.";
        }
        if (command == root)
        {
            var names = root.Subcommands.Select(c => c.Name).ToArray();
            return Closest(token, names) is string best
                ? $"Unknown command '{token}'. Did you mean '{best}'?"
                : $"Unknown command '{token}'; the commands are {string.Join(", ", names)}.";
        }
        return null;
    }

    /// <summary>The options a command accepts: its own, and the recursive ones of the commands above it.</summary>
    public static IEnumerable<string> OptionNames(CommandResult result)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool leaf = true;
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is not CommandResult cr) continue;
            foreach (var option in cr.Command.Options)
            {
                if (!leaf && !option.Recursive) continue;
                foreach (var n in new[] { option.Name }.Concat(option.Aliases))
                {
                    if (seen.Add(n)) yield return n;
                }
            }
            leaf = false;
        }
    }

    /// <summary>The candidate closest to <paramref name="typed"/>, if it is close enough to be a plausible typo; else null.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var t = typed.TrimStart('-').ToLowerInvariant();
        if (t.Length == 0) return null;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var c = candidate.TrimStart('-').ToLowerInvariant();
            if (c.Length == 0) continue;
            int d = Distance(t, c);
            // A prefix of a long name ("--spec" for "--spectrum") is as good as a one-letter typo.
            if (t.Length >= 3 && c.StartsWith(t, StringComparison.Ordinal)) d = Math.Min(d, 1);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }
        int allowed = Math.Max(1, Math.Min(3, (t.Length + 1) / 3));
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent transpositions).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
