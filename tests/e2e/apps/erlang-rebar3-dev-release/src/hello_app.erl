-module(hello_app).
-behaviour(application).
-export([start/2, stop/1]).

%% Prints where it runs from (a release has its own lib folder) and stops the node.
start(_Type, _Args) ->
    {ok, Vsn} = application:get_key(hello, vsn),
    {ok, Greeting} = application:get_env(hello, greeting),
    io:format("~s ~s from a release on OTP ~s~n", [Greeting, Vsn, erlang:system_info(otp_release)]),
    spawn(fun() -> timer:sleep(100), init:stop() end),
    hello_sup:start_link().

stop(_State) ->
    ok.
