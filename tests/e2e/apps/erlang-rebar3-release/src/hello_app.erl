-module(hello_app).
-behaviour(application).
-export([start/2, stop/1]).

%% Prints where it runs from (a release has its own lib folder) and stops the node.
start(_Type, _Args) ->
    {ok, Vsn} = application:get_key(hello, vsn),
    io:format("hello ~s from a release on OTP ~s~n", [Vsn, erlang:system_info(otp_release)]),
    spawn(fun() -> timer:sleep(100), init:stop() end),
    hello_sup:start_link().

stop(_State) ->
    ok.
