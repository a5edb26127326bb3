Gem::Specification.new do |s|
  s.name = "fastsum"
  s.version = "0.1.0"
  s.summary = "Sums integers in C and reports the SQLite it links"
  s.authors = ["dockerslim-refactor"]
  s.license = "MIT"
  s.files = ["lib/fastsum.rb", "ext/fastsum/extconf.rb", "ext/fastsum/fastsum.c"]
  s.extensions = ["ext/fastsum/extconf.rb"]
end
