(defproject greeter "0.1.0"
  :description "Greets the names on its command line."
  :dependencies [[org.clojure/clojure "1.11.1"]]
  :main greeter.core
  :aot [greeter.core]
  :uberjar-name "greeter-standalone.jar")
