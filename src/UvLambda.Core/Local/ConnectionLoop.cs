using System.Net.Sockets;

namespace UvLambda.Core.Local;

/// <summary>
/// Accepts connections until cancelled, serving each on its own task, then stops the listener and waits for the
/// connections in flight — shared by the API Gateway emulator and the script-handler proxy.
/// </summary>
public static class ConnectionLoop
{
    public static async Task RunAsync(TcpListener listener, Func<TcpClient, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(Task.Run(() => serve(client, cancellationToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            listener.Stop();
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
    }
}
