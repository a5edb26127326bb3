require "fastsum/fastsum"
