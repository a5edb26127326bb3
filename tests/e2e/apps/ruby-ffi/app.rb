# Loads expat through Fiddle, Ruby's FFI: no extension links it, so only the library's name
# in this source tells the rewrite that the runtime needs it. The full Ruby image has it
# (git depends on it); the slim one does not.
require "fiddle"

expat = Fiddle.dlopen("libexpat.so.1")
version = Fiddle::Function.new(expat["XML_ExpatVersion"], [], Fiddle::TYPE_VOIDP)
puts "expat through ffi: #{version.call.to_s}"
