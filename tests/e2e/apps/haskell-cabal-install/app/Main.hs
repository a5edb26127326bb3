module Main (main) where

import System.Environment (getArgs)

-- Greets the names on its command line with the greeting in greeting.txt, a file it reads
-- from the folder it runs in.
main :: IO ()
main = do
  names <- getArgs
  greeting <- takeWhile (/= '\n') <$> readFile "greeting.txt"
  putStrLn (greeting ++ ", " ++ unwords names ++ " (greeter 0.1.0, installed by cabal)")
