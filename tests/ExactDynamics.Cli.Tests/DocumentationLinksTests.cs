using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// The repository stands on its own: every relative link and #anchor in README.md and docs/*.md resolves (a file or
/// folder that exists; an anchor that is an explicit <c>&lt;a id="…"&gt;</c> or a GitHub-style heading slug of the
/// target page), and no source or documentation file cites a document outside the repository, a section number or an
/// issue number.
/// </summary>
public partial class DocumentationLinksTests
{
    [GeneratedRegex(@"(?<!\\)!?\[(?:[^\]\n]|\\\])*\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"<a\s+(?:id|name)=""([^""]+)""")]
    private static partial Regex ExplicitAnchor();

    [GeneratedRegex(@"^(#{1,6})\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex InlineCode();

    /// <summary>The text outside fenced code blocks, line by line (links and headings inside code do not count).</summary>
    internal static IEnumerable<string> ProseLines(string markdown)
    {
        bool fenced = false;
        foreach (var line in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (!fenced) yield return line;
        }
    }

    /// <summary>GitHub's heading slug: lower case; letters, marks, numbers, connector punctuation ('_') and '-' kept, spaces
    /// to '-', everything else dropped.</summary>
    internal static string Slug(string heading)
    {
        var text = Regex.Replace(heading, @"\[([^\]]*)\]\([^)]*\)", "$1");
        var sb = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(ch);
            if (ch == ' ') sb.Append('-');
            else if (ch == '-' || char.IsLetter(ch) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                     or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
                     or UnicodeCategory.OtherNumber or UnicodeCategory.ConnectorPunctuation)
                sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>Every anchor a page defines: explicit ids and heading slugs (repeated slugs get -1, -2, … as on GitHub).</summary>
    internal static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in ProseLines(markdown))
        {
            foreach (Match a in ExplicitAnchor().Matches(line)) anchors.Add(a.Groups[1].Value);
            var h = Heading().Match(line);
            if (!h.Success) continue;
            var slug = Slug(h.Groups[2].Value);
            if (seen.TryGetValue(slug, out int n)) { seen[slug] = n + 1; anchors.Add($"{slug}-{n + 1}"); }
            else { seen[slug] = 0; anchors.Add(slug); }
        }
        return anchors;
    }

    /// <summary>The link targets of a page's prose (inline code removed).</summary>
    internal static IEnumerable<string> Links(string markdown) =>
        ProseLines(markdown).SelectMany(l => MarkdownLink().Matches(InlineCode().Replace(l, "")).Select(m => m.Groups[1].Value));

    /// <summary>Broken relative links of one page, as "page: target (reason)".</summary>
    internal static IEnumerable<string> BrokenLinks(string page)
    {
        var text = File.ReadAllText(page);
        var folder = Path.GetDirectoryName(page)!;
        var name = Path.GetRelativePath(Repo.Root, page);
        foreach (var target in Links(text))
        {
            if (Regex.IsMatch(target, @"^[a-zA-Z][a-zA-Z0-9+.-]*:")) continue; // https:, mailto:, …
            int hash = target.IndexOf('#', StringComparison.Ordinal);
            var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
            var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
            var full = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(folder, path));
            if (!File.Exists(full) && !Directory.Exists(full)) { yield return $"{name}: {target} (no such file)"; continue; }
            if (anchor is null || !full.EndsWith(".md", StringComparison.OrdinalIgnoreCase)) continue;
            if (!Anchors(File.ReadAllText(full)).Contains(anchor)) yield return $"{name}: {target} (no such anchor)";
        }
    }

    [Fact]
    public void Every_relative_link_and_anchor_in_the_readme_and_docs_resolves()
    {
        var pages = new[] { Path.Combine(Repo.Root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(Repo.Root, "docs"), "*.md")).ToArray();
        pages.Length.ShouldBeGreaterThan(4);
        int links = pages.Sum(p => Links(File.ReadAllText(p)).Count());
        links.ShouldBeGreaterThan(50);
        pages.SelectMany(BrokenLinks).ShouldBeEmpty();
    }

    [Fact]
    public void The_math_page_defines_the_anchors_the_code_cites()
    {
        var anchors = Anchors(File.ReadAllText(Path.Combine(Repo.Root, "docs", "math.md")));
        foreach (var a in new[] { "problem", "methods", "fourth-moment-identity", "second-moment-recursion", "secular-equation",
                     "gap-space", "prefactor", "iterations-to-target", "batch-size-tradeoffs", "critical-batch", "tuning",
                     "schedules", "renewal-form", "glossary" })
            anchors.ShouldContain(a);
    }

    [Fact]
    public void Every_docs_citation_in_the_code_names_an_anchor_that_exists()
    {
        var cited = new Regex(@"docs/([a-z-]+\.md)#([a-z0-9-]+)");
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var file in RepositoryTextFiles())
        {
            foreach (Match m in cited.Matches(File.ReadAllText(file)))
            {
                var page = Path.Combine(Repo.Root, "docs", m.Groups[1].Value);
                if (!anchors.TryGetValue(page, out var set))
                    anchors[page] = set = File.Exists(page) ? Anchors(File.ReadAllText(page)) : [];
                if (!set.Contains(m.Groups[2].Value)) broken.Add($"{Path.GetRelativePath(Repo.Root, file)}: {m.Value}");
            }
        }
        broken.ShouldBeEmpty();
    }

    [Fact]
    public void No_file_cites_a_document_outside_the_repository_a_section_number_or_an_issue_number()
    {
        // The patterns are assembled so that this file does not match them itself.
        var outside = new Regex(string.Join("|", Regex.Escape("../" + "shared"), "MATH" + @"\.md", "CLI" + @"\.md", "\u00a7",
            @"\b[Ii]ssue\s*#?\d+"));
        var hits = new List<string>();
        foreach (var file in RepositoryTextFiles())
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (outside.Match(lines[i]) is { Success: true } m)
                    hits.Add($"{Path.GetRelativePath(Repo.Root, file)}:{i + 1}: {m.Value}");
        }
        hits.ShouldBeEmpty();
    }

    /// <summary>Source and documentation files of the repository (no build output, no binaries).</summary>
    internal static IEnumerable<string> RepositoryTextFiles()
    {
        string[] extensions = [".cs", ".md", ".sh", ".py", ".json", ".csproj", ".props", ".cff", ".txt", ".yml", ".yaml"];
        var root = Repo.Root;
        var stack = new Stack<string>([root]);
        while (stack.Count > 0)
        {
            var dir = stack.Pop();
            foreach (var sub in Directory.GetDirectories(dir))
            {
                var n = Path.GetFileName(sub);
                if (n is "bin" or "obj" or "TestResults" or "BenchmarkDotNet.Artifacts" || n.StartsWith('.')) continue;
                stack.Push(sub);
            }
            foreach (var f in Directory.GetFiles(dir))
                if (extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)) yield return f;
        }
        // .ci/run is a script without an extension
        var ci = Path.Combine(root, ".ci", "run");
        if (File.Exists(ci)) yield return ci;
    }

    [Fact]
    public void Slugs_and_anchors_follow_github()
    {
        Slug("7. Does it work for k = 2? (study)").ShouldBe("7-does-it-work-for-k--2-study");
        Slug("`risk` — the exact curve, and its figure").ShouldBe("risk--the-exact-curve-and-its-figure");
        Slug("Use the library from C#").ShouldBe("use-the-library-from-c");
        var anchors = Anchors("# A\n<a id=\"x-y\"></a>\n## A\n```\n# not a heading\n```\n");
        anchors.ShouldBe(new HashSet<string>(["a", "a-1", "x-y"]), ignoreOrder: true);
        Links("see [m](math.md#problem) and `[not](a-link.md)`, ![img](images/x.png)\n```\n[code](no.md)\n```")
            .ShouldBe(["math.md#problem", "images/x.png"]);
    }
}
