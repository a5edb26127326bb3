-module(hello_app).
-behaviour(application).
-export([start/2, stop/1]).

%% Prints where it runs from (a release has its own lib folder) and stops the node.
start(_Type, _Args) ->
    {ok, Vsn} = application:get_key(hello, vsn),
    %% The file name encoding follows the locale LANG names: utf8 only where glibc has it.
    io:format("hello ~s, file names in ~s~n", [Vsn, file:native_name_encoding()]),
    spawn(fun() -> timer:sleep(100), init:stop() end),
    hello_sup:start_link().

stop(_State) ->
    ok.
