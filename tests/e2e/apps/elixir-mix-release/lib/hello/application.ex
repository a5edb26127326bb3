defmodule Hello.Application do
  # Prints a line from the release (its own runtime system by default) and stops the node.
  use Application

  def start(_type, _args) do
    IO.puts("hello #{Application.spec(:hello, :vsn)} from a mix release on OTP #{System.otp_release()}")
    spawn(fn -> Process.sleep(100); System.stop() end)
    Supervisor.start_link([], strategy: :one_for_one, name: Hello.Supervisor)
  end
end
