require "bundler/setup"
require "fastsum"

puts "fastsum #{Fastsum.sum([1, 2, 3, 36])} with sqlite #{Fastsum.sqlite_version}"
