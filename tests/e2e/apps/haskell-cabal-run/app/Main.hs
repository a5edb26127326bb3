module Main (main) where

import System.Environment (getArgs, lookupEnv)

-- Greets the names on its command line with the greeting from the environment.
main :: IO ()
main = do
  names <- getArgs
  greeting <- maybe "hello" id <$> lookupEnv "GREETING"
  putStrLn (greeting ++ ", " ++ unwords names ++ " (greeter 0.1.0, GHC build)")
