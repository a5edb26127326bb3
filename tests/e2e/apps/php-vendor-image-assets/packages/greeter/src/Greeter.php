<?php

namespace Acme\Greeter;

final class Greeter
{
    public static function greet(string $name): string
    {
        return sprintf("hello %s from greeter on PHP %d.%d", $name, PHP_MAJOR_VERSION, PHP_MINOR_VERSION);
    }
}
