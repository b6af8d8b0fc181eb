namespace ExactDynamics;

/// <summary>
/// Thrown when a value given to the library is not allowed (a non-positive eigenvalue, a batch below one,
/// an inconsistent method, a malformed file). The message is one sentence that names the bad value and
/// what is allowed; the CLI prints it as it is.
/// </summary>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(string message) : base(message) { }
    public InvalidInputException(string message, Exception inner) : base(message, inner) { }
}
