(ns greeter.core
  (:require [clojure.string :as str])
  (:gen-class))

(defn -main [& names]
  (println (str "hello, " (str/join " " names) " (built with lein, Clojure "
                (clojure-version) ")")))
