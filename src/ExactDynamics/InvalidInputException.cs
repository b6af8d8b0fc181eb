namespace ExactDynamics;

/// <summary>
/// Thrown when a value given to the library is not allowed (a non-positive eigenvalue, a batch below one,
/// an inconsistent method, a malformed file). The message is one sentence that names the bad value and
/// what is allowed; the CLI prints it as it is.
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>An exception with a one-sentence message naming the bad value and what is allowed.</summary>
    /// <param name="message">The sentence.</param>
    public InvalidInputException(string message) : base(message) { }

    /// <summary>As <see cref="InvalidInputException(string)"/>, keeping the exception that revealed the problem.</summary>
    /// <param name="message">The sentence.</param>
    /// <param name="inner">The underlying exception (e.g. a parse or I/O failure).</param>
    public InvalidInputException(string message, Exception inner) : base(message, inner) { }
}
